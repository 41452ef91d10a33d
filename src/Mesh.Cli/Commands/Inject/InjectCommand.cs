using System.CommandLine;
using Mesh.Cli.Commands.Iptables;
using Mesh.Cli.Injection;
using Mesh.Cli.Manifests;
using Mesh.Cli.Options;

namespace Mesh.Cli.Commands.Inject;

/// <summary>
/// <c>mesh inject FILE|-</c>: writes Kubernetes YAML back with the Mesh sidecar, the <c>mesh iptables apply</c> init
/// container and the config volume added to every workload (docs/kubernetes.md), for <c>| kubectl apply -f -</c>.
/// The YAML goes to stdout; one line per workload (injected, unchanged, skipped) and notes go to stderr. Any error in
/// the input (not YAML, a malformed annotation) is reported with its document and key, and nothing is written (exit 5).
/// </summary>
internal sealed class InjectCommand : MeshCommand
{
    private readonly Argument<string> _file = new("FILE|-") { Description = "The manifests: a YAML file (several documents, a List), or - for stdin." };

    private readonly Option<string?> _image = Image("--image", "The sidecar's image (deploy/Dockerfile).", InjectionSettings.DefaultSidecarImage);

    private readonly Option<string?> _initImage = Image("--init-image", "The init container's image: the mesh CLI and iptables (deploy/Dockerfile.cli).", InjectionSettings.DefaultInitImage);

    private readonly Option<int> _proxyUid = IptablesOptions.ProxyUidOption("The user the sidecar runs as; iptables lets its connections pass, and no other container may use it.");

    private readonly Option<string?> _configMap = TypedOptions.Create<string?>(
        "--config-map",
        "name",
        $"The ConfigMap with every sidecar's {MeshPod.ConfigFileName}. Default: the workload's name and {MeshPod.ConfigMapSuffix}; the {MeshAnnotations.ConfigMap} annotation wins.",
        static (string text, out string? value) => WorkloadInjector.IsResourceName(value = text),
        "a ConfigMap name (lower-case letters, digits, '-' and '.')");

    private readonly Option<string> _ipv6 = IptablesOptions.Ipv6Option("Also redirect IPv6 (the sidecar listens on IPv6 too; false for nodes without IPv6 nat).", true);

    public InjectCommand(GlobalOptions global)
        : base("inject", "Add the Mesh sidecar, its iptables init container and its config volume to the workloads in Kubernetes YAML; write it to stdout.", global)
    {
        _file.Validators.Add(static result =>
        {
            if (result.GetValueOrDefault<string>() is { } file && file != "-" && !File.Exists(Path.GetFullPath(file)))
            {
                result.AddError($"FILE: no such file '{Path.GetFullPath(file)}'");
            }
        });
        Arguments.Add(_file);
        foreach (var option in new Option[] { _image, _initImage, _proxyUid, _configMap, _ipv6 })
        {
            Options.Add(option);
        }

        Validators.Add(result =>
        {
            if (result.GetValue(global.Json) || result.GetValue(global.Output) == OutputFormat.Json)
            {
                result.AddError("--output json does not apply to inject: it writes YAML, for kubectl, and its report as lines on stderr");
            }
        });
    }

    protected override async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var file = context.Value(_file)!;
        var source = file == "-" ? "stdin" : Path.GetFullPath(file);
        string text;
        try
        {
            text = file == "-" ? await context.In.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(source, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await context.Error.WriteLineAsync($"mesh inject: {source} cannot be read: {ex.Message}");
            return ExitCodes.InputErrors;
        }

        IReadOnlyList<ManifestChunk> chunks;
        try
        {
            chunks = ManifestReader.Read(text);
        }
        catch (ManifestFormatException ex)
        {
            await context.Error.WriteLineAsync($"mesh inject: {source} is not valid YAML: {ex.Message}");
            return ExitCodes.InputErrors;
        }

        var settings = new InjectionSettings(
            context.Value(_image)!,
            context.Value(_initImage)!,
            context.Value(_proxyUid),
            context.Value(_configMap),
            bool.Parse(context.Value(_ipv6)!));
        var (output, report) = ManifestInjector.Inject(chunks, settings);
        foreach (var error in report.Errors)
        {
            await context.Error.WriteLineAsync($"mesh inject: {source}: {error}");
        }

        if (output is null)
        {
            return ExitCodes.InputErrors;
        }

        await context.Out.WriteAsync(output);
        foreach (var result in report.Results)
        {
            await context.Error.WriteLineAsync(result.Outcome switch
            {
                InjectionOutcome.Injected => $"injected: {result.Resource}",
                InjectionOutcome.Unchanged => $"unchanged: {result.Resource} (already injected)",
                _ => $"skipped: {result.Resource} ({result.Reason})",
            });
        }

        foreach (var note in report.Notes)
        {
            await context.Error.WriteLineAsync($"note: {note}");
        }

        return ExitCodes.Ok;
    }

    private static Option<string?> Image(string name, string description, string defaultImage)
    {
        var option = TypedOptions.Text(name, "image", description);
        option.DefaultValueFactory = _ => defaultImage;
        return option;
    }
}
