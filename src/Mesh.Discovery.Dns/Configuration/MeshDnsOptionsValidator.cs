using Mesh.Discovery.Dns.Naming;
using Mesh.Discovery.Dns.Resolution;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Mesh.Discovery.Dns.Configuration;

/// <summary>
/// Validates <see cref="MeshDnsOptions"/> at start, collecting every error with its configuration key, e.g.
/// <c>Mesh:Discovery:Dns:Servers:0 must be ip or ip:port, was 'dns.example'</c>. The sidecar calls
/// <see cref="MeshDnsOptions.Validate(IConfiguration)"/> with the rest of its configuration, so a bad reload is rejected whole.
/// </summary>
internal sealed class MeshDnsOptionsValidator : IValidateOptions<MeshDnsOptions>
{
    private const string Prefix = MeshDnsOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, MeshDnsOptions options)
    {
        var errors = Validate(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Validates the <c>Mesh:Discovery:Dns</c> section of <paramref name="configuration"/>; no errors when it is absent.</summary>
    public static List<string> Validate(IConfiguration configuration)
    {
        var section = configuration.GetSection(MeshDnsOptions.SectionName);
        if (!section.Exists())
        {
            return [];
        }

        var options = new MeshDnsOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the key and the type: "Failed to convert configuration value at 'Mesh:Discovery:Dns:MinTtl' ...".
            return [ex.Message];
        }

        return Validate(options);
    }

    public static List<string> Validate(MeshDnsOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Servers.Count; i++)
        {
            if (!DnsServers.TryParse(options.Servers[i], out _))
            {
                errors.Add($"{Prefix}Servers:{i} must be ip or ip:port, was '{options.Servers[i]}'");
            }
        }

        if (!DnsServiceNames.IsName(options.Namespace ?? "") || options.Namespace!.Contains('.', StringComparison.Ordinal))
        {
            errors.Add($"{Prefix}Namespace must be one DNS label, was '{options.Namespace}'");
        }

        if (!DnsServiceNames.IsName(options.ClusterDomain ?? ""))
        {
            errors.Add($"{Prefix}ClusterDomain must be a DNS name, was '{options.ClusterDomain}'");
        }

        if (!DnsServiceNames.IsLabel(options.PortName ?? ""))
        {
            errors.Add($"{Prefix}PortName must be one DNS label (a Service port name such as 'http'), was '{options.PortName}'");
        }

        foreach (var (service, value) in options.Services)
        {
            if (!DnsServiceNames.TryParse(options, service, value, out _, out var reason))
            {
                errors.Add($"{Prefix}Services:{service} {reason}");
            }
        }

        if (options.MinTtl <= TimeSpan.Zero)
        {
            errors.Add($"{Prefix}MinTtl must be greater than zero, was {options.MinTtl}");
        }

        if (options.MaxTtl < options.MinTtl)
        {
            errors.Add($"{Prefix}MaxTtl must not be below MinTtl ({options.MinTtl}), was {options.MaxTtl}");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{Prefix}Timeout must be in (0, 00:01:00], was {options.Timeout}");
        }

        if (options.Retries is < 0 or > 5)
        {
            errors.Add($"{Prefix}Retries must be in [0, 5], was {options.Retries}");
        }

        return errors;
    }
}
