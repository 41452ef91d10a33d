using Mesh.ProxyHost;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features;

// Mesh.ProxyHost: the sidecar. Outbound 127.0.0.1:4140 (h2c 4142), inbound 0.0.0.0:4143 → 127.0.0.1:8080,
// admin 127.0.0.1:4191. See README "Sidecar quick start". Anything that stops it from starting (configuration, a
// listener that cannot be bound) exits with 2 and one line per problem, naming the key.

// A socket operation's continuation runs on the thread that saw the socket ready instead of being queued to the thread
// pool first: a thread-pool hop saved per read and write, 8-19 % of the sidecar's CPU per request as measured (docs/performance.md,
// "Inline socket completions"). The trade: code that blocks there stalls every connection that socket thread serves; the
// sidecar's request path is asynchronous throughout (InlineSocketCompletionsTests). The runtime reads the variable once,
// at the process's first socket operation; DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 in the environment keeps it off.
DefaultRuntimeSetting("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

// Every proxied body is copied through a 64 KiB buffer rented from ArrayPool<byte>.Shared, one per stream in flight
// (YARP's StreamCopier). The pool keeps 32 arrays of a size per CPU: a sidecar given one CPU with more than 32 streams
// in flight (128 gRPC calls on 8 connections) allocated most of those buffers afresh, ~32 KB per request and a gen1
// collection every few hundred requests. 128 per CPU keeps them (at most 8 MiB of 64 KiB buffers per CPU, and only after
// that many were in flight at once; the pool drops arrays unused for a minute). The runtime reads the variable when the
// pool is first used, after this line; DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION in the environment wins.
DefaultRuntimeSetting("DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION", "128");

WebApplication app;
try
{
    app = ProxyApp.Build(args);
}
catch (InvalidConfigurationException ex)
{
    await Console.Error.WriteLineAsync($"mesh-proxy: {ex.Message}");
    return 2;
}

try
{
    await app.RunAsync();
    return 0;
}
catch (IOException ex) when (ListenerCheck.Describe(ex, app.Services.GetRequiredService<Listeners>().Configured) is { } reason)
{
    // Bound by someone else between the check at build and the server's start.
    await Console.Error.WriteLineAsync($"mesh-proxy: Cannot listen:\n  {reason}");
    return 2;
}

// A runtime setting the runtime reads from the environment only, set for this process unless its environment sets it.
static void DefaultRuntimeSetting(string variable, string value)
{
    if (Environment.GetEnvironmentVariable(variable) is null)
    {
        Environment.SetEnvironmentVariable(variable, value);
    }
}
