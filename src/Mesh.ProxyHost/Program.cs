using Mesh.ProxyHost;
using Mesh.ProxyHost.Configuration;

// Mesh.ProxyHost: the sidecar. Outbound 127.0.0.1:4140 (h2c 4142), inbound 0.0.0.0:4143 → 127.0.0.1:8080,
// admin 127.0.0.1:4191. See README "Sidecar quick start".
try
{
    await ProxyApp.Build(args).RunAsync();
    return 0;
}
catch (InvalidConfigurationException ex)
{
    await Console.Error.WriteLineAsync($"mesh-proxy: {ex.Message}");
    return 2;
}
