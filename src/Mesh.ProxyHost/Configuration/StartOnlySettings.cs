namespace Mesh.ProxyHost.Configuration;

/// <summary>
/// Settings of the sidecar's identity that are read once, at start, and that a reload therefore cannot change: the
/// identity files (whose contents are watched, not their names) and <c>Mesh:Proxy:Inbound:Tls</c>. A reload that changes
/// one is applied for everything else, with a warning naming the key, in the log and in <c>/config</c>, that the sidecar
/// keeps the value it started with until it restarts; it is never taken silently.
/// </summary>
internal sealed class StartOnlySettings
{
    private static readonly string[] Keys =
    [
        "Mesh:Identity:CertificateFile",
        "Mesh:Identity:KeyFile",
        "Mesh:Identity:TrustBundleFile",
        "Mesh:Proxy:Inbound:Tls",
    ];

    private readonly Dictionary<string, string?> _atStart = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Remembers the values the sidecar starts with.</summary>
    public void Start(IReadOnlyDictionary<string, string?> data)
    {
        foreach (var key in Keys)
        {
            _atStart[key] = Value(data, key);
        }
    }

    /// <summary>Gets a warning for each setting <paramref name="data"/>, a reload, changes from its value at start.</summary>
    public IEnumerable<string> Changed(IReadOnlyDictionary<string, string?> data)
    {
        foreach (var key in Keys)
        {
            var now = Value(data, key);
            var start = _atStart.GetValueOrDefault(key);
            if (!string.Equals(now, start, StringComparison.Ordinal))
            {
                yield return $"{key} is read at start only: the sidecar keeps {Show(start)} until it restarts (the reload sets {Show(now)})";
            }
        }
    }

    private static string? Value(IReadOnlyDictionary<string, string?> data, string key) =>
        data.TryGetValue(key, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    private static string Show(string? value) => value is null ? "no value" : $"'{value}'";
}
