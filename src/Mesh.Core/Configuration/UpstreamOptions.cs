namespace Mesh.Configuration;

/// <summary>The connections to a service's endpoints, under <c>Mesh:Services:{service}:Upstream</c>.</summary>
public sealed class UpstreamOptions
{
    /// <summary>The default <see cref="IdleTimeout"/>: 1.5 s.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMilliseconds(1500);

    /// <summary>
    /// Gets or sets how long a connection may sit idle in the pool before Mesh closes it. Default: 1.5 s, under the idle
    /// timeout of the servers Mesh most often sits in front of (gunicorn's 2 s; Node's, Apache's and uvicorn's 5 s): a
    /// request sent on a connection the server is closing at that very moment fails, and a POST cannot then be retried
    /// safely. A response's <c>Keep-Alive: timeout=N</c> lowers it further for that connection (SocketsHttpHandler honours
    /// the header). Linkerd keeps idle HTTP/1 connections 3 s, Envoy an hour.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = DefaultIdleTimeout;
}
