using System.Text.Json;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features.Identity;
using Microsoft.Extensions.Configuration;

namespace Mesh.Cli.Commands;

/// <summary>
/// Validates a sidecar configuration file offline with the sidecar's own validator
/// (<see cref="MeshConfigurationValidator"/>) and, when it names identity files, the sidecar's own check of them
/// (<see cref="IdentityFiles"/>: readable, the key the certificate's, valid now, a SPIFFE ID, signed by the bundle), so
/// <c>mesh check</c> and a starting sidecar always agree.
/// </summary>
internal static class ConfigurationFile
{
    /// <summary>Every error in the file, each naming its key; a file that is not JSON is one error naming the file.</summary>
    public static IReadOnlyList<string> Validate(string fullPath)
    {
        IConfiguration configuration;
        try
        {
            configuration = new ConfigurationBuilder().AddJsonFile(fullPath, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or JsonException)
        {
            return [$"{fullPath} is not a valid JSON configuration file: {Describe(ex)}"];
        }

        var errors = MeshConfigurationValidator.Validate(configuration);
        var identity = new IdentityOptions();
        configuration.GetSection(IdentityOptions.SectionName).Bind(identity);
        if (errors.Count == 0 && identity.IsConfigured)
        {
            // The identity files as the sidecar would read them at start (paths relative to where mesh runs).
            IdentityFiles.Load(identity, TimeProvider.System.GetUtcNow(), errors);
        }

        return errors;
    }

    // The configuration provider wraps the parser's exception, whose message carries the line and position.
    private static string Describe(Exception ex)
    {
        var messages = new List<string>();
        for (var e = (Exception?)ex; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message.TrimEnd('.'));
        }

        return string.Join(": ", messages.Distinct());
    }
}
