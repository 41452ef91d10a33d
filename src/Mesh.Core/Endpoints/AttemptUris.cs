namespace Mesh.Endpoints;

/// <summary>
/// The URIs of attempts on one endpoint, by the logical URI the caller addressed (<c>http://orders/api/x</c> →
/// <c>http://10.0.0.5:8080/api/x</c>). Calls repeat their paths (gRPC methods, REST routes), and parsing a new URI per
/// attempt was the largest allocation of the request path and a visible CPU cost of the sidecar. A small direct-mapped
/// table: bounded (16 entries of at most 256 characters per endpoint), lock-free, and a miss costs what it did before.
/// </summary>
internal sealed class AttemptUris(string requestPrefix)
{
    private const int Size = 16;
    private const int MaxKeyLength = 256;

    private readonly Entry?[] _entries = new Entry?[Size];

    public Uri For(Uri logical)
    {
        // The original text identifies the logical URI only when it is the whole absolute URI (not a relative part).
        var key = logical.OriginalString;
        if (key.Length > MaxKeyLength || !key.StartsWith(logical.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return Create(logical);
        }

        ref var slot = ref _entries[key.GetHashCode() & (Size - 1)];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && string.Equals(entry.Key, key, StringComparison.Ordinal))
        {
            return entry.Uri;
        }

        var uri = Create(logical);
        Volatile.Write(ref slot, new Entry(key, uri));
        return uri;
    }

    private Uri Create(Uri logical) => new(string.Concat(requestPrefix, logical.PathAndQuery));

    private sealed record Entry(string Key, Uri Uri);
}
