using Mesh.Configuration.Shape;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Mesh.Configuration;

/// <summary>
/// Binds a service's options from a configuration section shaped like <c>Mesh:Services:{service}</c>, reading durations
/// as <see cref="Duration"/> does: <c>5s</c> and <c>250ms</c> are taken, a bare number under a duration key fails with
/// the key and the reason (an <see cref="OptionsValidationException"/>, as a validator's errors would).
/// </summary>
internal static class MeshServiceOptionsBinder
{
    private static readonly ConfigurationShape Shape = ConfigurationShape.ForServices();

    public static void Bind(IConfigurationSection section, string service, MeshServiceOptions options)
    {
        var prefix = $"{MeshServiceOptions.SectionName}:{service}";
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (value is not null)
            {
                data[$"{prefix}:{key}"] = value;
            }
        }

        if (ConfigurationDurations.Normalize(data, Shape) is { Count: > 0 } errors)
        {
            throw new OptionsValidationException(service, typeof(MeshServiceOptions), errors);
        }

        new ConfigurationBuilder().AddInMemoryCollection(data).Build().GetSection(prefix).Bind(options);
    }
}
