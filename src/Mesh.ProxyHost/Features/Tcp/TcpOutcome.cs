namespace Mesh.ProxyHost.Features.Tcp;

/// <summary>How an opaque TCP connection ended: the values of <c>mesh.tcp.outcome</c>.</summary>
internal static class TcpOutcome
{
    /// <summary>Both sides finished: each direction ended with a FIN (or the destination's FIN closed it).</summary>
    public const string Closed = "closed";

    /// <summary>A side reset the connection or an error broke it.</summary>
    public const string Reset = "reset";

    /// <summary>No byte moved either way for <c>Mesh:Proxy:Tcp:IdleTimeout</c>: the sidecar closed both sides.</summary>
    public const string IdleTimeout = "idle_timeout";

    /// <summary>No connection to the destination could be made (refused, unreachable, timed out), on any endpoint tried.</summary>
    public const string ConnectError = "connect_error";

    /// <summary>The meshed service's endpoints did not prove the identity it expects (mutual TLS); nothing was sent.</summary>
    public const string IdentityMismatch = "identity_mismatch";

    /// <summary>The service the connection belongs to has no endpoints.</summary>
    public const string NoEndpoints = "no_endpoints";

    /// <summary>The sidecar refused it: a loop to its own listeners, or a destination it never forwards to.</summary>
    public const string Refused = "refused";
}
