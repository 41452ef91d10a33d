namespace Mesh.Discovery.Dns.Resolution;

/// <summary>
/// A lookup that found no endpoints. Mesh's discovery catches it, keeps the service's last good endpoints and
/// retries with backoff; <see cref="Reason"/> is one of <see cref="DnsErrorReasons"/>.
/// </summary>
internal sealed class DnsResolutionException : Exception
{
    public DnsResolutionException(string reason, string message, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
    }

    public string Reason { get; }
}
