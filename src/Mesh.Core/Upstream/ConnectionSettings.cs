using System.Reflection;

namespace Mesh.Upstream;

/// <summary>
/// Makes the <see cref="SocketsHttpHandler"/> of a connection pool. An <c>HttpClient</c> meshed in-process may come with
/// a primary handler of its own: the factory's, Grpc.Net.ClientFactory's (<c>EnableMultipleHttp2Connections</c>), or the
/// application's (client certificates, a proxy, a connect callback). Mesh keeps one pool per idle timeout, so it cannot
/// send on that one handler; it makes each pool's handler a copy of it instead, every public setting and property
/// carried over, then sets what Mesh owns: the idle timeout, and a connect timeout and connection lifetime where the
/// template leaves them infinite (SocketsHttpHandler's defaults).
/// </summary>
internal static class ConnectionSettings
{
    /// <summary>How long an endpoint may take to accept a connection, unless the template says otherwise.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Endpoints come and go: no connection is pinned to an address for longer, unless the template says otherwise.</summary>
    public static readonly TimeSpan DefaultConnectionLifetime = TimeSpan.FromMinutes(5);

    private static readonly PropertyInfo[] Settable = Array.FindAll(
        typeof(SocketsHttpHandler).GetProperties(BindingFlags.Public | BindingFlags.Instance),
        static p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0);

    /// <summary>Makes a pool's handler: like <paramref name="template"/> (when given), with the pool's idle timeout.</summary>
    public static SocketsHttpHandler Create(SocketsHttpHandler? template, TimeSpan idleTimeout)
    {
        var handler = new SocketsHttpHandler();
        if (template is not null)
        {
            foreach (var property in Settable)
            {
                property.SetValue(handler, property.GetValue(template));
            }

            foreach (var (key, value) in template.Properties)
            {
                handler.Properties[key] = value;
            }
        }

        if (handler.ConnectTimeout == Timeout.InfiniteTimeSpan)
        {
            handler.ConnectTimeout = DefaultConnectTimeout;
        }

        if (handler.PooledConnectionLifetime == Timeout.InfiniteTimeSpan)
        {
            handler.PooledConnectionLifetime = DefaultConnectionLifetime;
        }

        handler.PooledConnectionIdleTimeout = idleTimeout;
        return handler;
    }
}
