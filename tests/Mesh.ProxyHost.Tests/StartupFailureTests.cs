using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// What stops the sidecar from starting is reported like an invalid value: exit code 2 and one line per problem naming
/// the key and the reason, never a stack trace. And what it used to accept silently is no longer accepted silently: a
/// duration with no unit, a misspelled key, an endpoint scheme it cannot send to, headers over its limit.
/// </summary>
public class StartupFailureTests
{
    private static readonly string[] FreePorts = SidecarProcess.FreePorts;

    [Fact]
    public void AListenerWhoseAddressIsInUse_FailsTheStart_NamingTheKeyTheAddressAndTheReason()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var error = Assert.Throws<InvalidConfigurationException>(() => ProxyApp.Build([.. FreePorts, $"--Mesh:Proxy:Outbound:ListenHttp2=127.0.0.1:{port}"]));

        Assert.Equal([$"Mesh:Proxy:Outbound:ListenHttp2 127.0.0.1:{port}: address already in use"], error.Errors);
    }

    [Fact]
    public void AListenerOnAnAddressNotOfThisMachine_FailsTheStart()
    {
        // 192.0.2.0/24 is documentation space (RFC 5737): never an address of this machine, nothing is sent to it.
        var error = Assert.Throws<InvalidConfigurationException>(() => ProxyApp.Build([.. FreePorts, "--Mesh:Proxy:Inbound:Listen=192.0.2.1:4143"]));

        Assert.Equal(["Mesh:Proxy:Inbound:Listen 192.0.2.1:4143: address not available (it is not an address of this machine)"], error.Errors);
    }

    [Fact]
    public async Task TheBinary_ExitsWith2_AndOneLinePerListenerProblem_NoStackTrace()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, stderr) = await RunSidecarAsync([.. FreePorts, $"--Mesh:Proxy:Outbound:Listen=127.0.0.1:{port}", "--Mesh:Admin:Listen=127.0.0.1:9"], withoutPrivilegedPorts: true);

        Assert.True(exitCode == 2, $"exit code {exitCode}; stderr: {stderr}");
        Assert.Contains($"  Mesh:Proxy:Outbound:Listen 127.0.0.1:{port}: address already in use\n", stderr, StringComparison.Ordinal);

        // Port 9 is below 1024: without CAP_NET_BIND_SERVICE (dropped when the test runs as root) it may not be bound.
        Assert.Contains("  Mesh:Admin:Listen 127.0.0.1:9: permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)\n", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingConfigFile_ExitsWith2_NamingIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"mesh-missing-{Guid.NewGuid():N}.json");

        var (exitCode, stderr) = await RunSidecarAsync([.. FreePorts, $"--Mesh:ConfigFile={missing}"]);

        Assert.True(exitCode == 2, $"exit code {exitCode}; stderr: {stderr}");
        Assert.Contains($"  Mesh:ConfigFile {missing}: the file does not exist\n", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConfigFileThatIsNotJson_ExitsWith2_SayingWhere()
    {
        var file = Path.Combine(Path.GetTempPath(), $"mesh-broken-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, "{ broken: ");
        try
        {
            var (exitCode, stderr) = await RunSidecarAsync([.. FreePorts, $"--Mesh:ConfigFile={file}"]);

            Assert.True(exitCode == 2, $"exit code {exitCode}; stderr: {stderr}");
            Assert.Contains($"  Mesh:ConfigFile {file}: not valid JSON: 'b' is an invalid start of a property name.", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("Mesh:Services:orders:Timeouts:Total", "5")]
    [InlineData("Mesh:Proxy:DrainDelay", "1")]
    [InlineData("Mesh:DynamicServices:IdleTimeout", "60")]
    public void ADurationWithNoUnit_IsRefused(string key, string value)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => ProxyApp.Build([.. FreePorts, $"--{key}={value}"]));

        Assert.Equal([$"{key} must be a duration such as 00:00:05, 5s, 250ms, 1m or 2h (a number alone has no unit), was '{value}'"], error.Errors);
    }

    [Theory]
    [InlineData("-1s")]
    [InlineData("500ms")]
    [InlineData("31d")]
    public void ATcpIdleTimeoutOutOfRange_IsRefused_NamingTheKey(string value)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => ProxyApp.Build([.. FreePorts, $"--Mesh:Proxy:Tcp:IdleTimeout={value}"]));

        Assert.Single(error.Errors, e => e.StartsWith("Mesh:Proxy:Tcp:IdleTimeout must be between 1 second and 30 days, or zero (off), was ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DurationsWithUnits_AreRead()
    {
        await using var sidecar = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = ["http://127.0.0.1:9"] }, """{ "orders": { "Timeouts": { "Total": "5s", "PerTry": "250ms" } } }"""),
            "--Mesh:Proxy:DrainTimeout=1.5m");

        var policy = sidecar.Services.GetRequiredService<MeshServiceRegistry>().Get("orders").Policy.Options;
        Assert.Equal(TimeSpan.FromSeconds(5), policy.Timeouts.Total);
        Assert.Equal(TimeSpan.FromMilliseconds(250), policy.Timeouts.PerTry);
        Assert.Equal(TimeSpan.FromSeconds(90), sidecar.Services.GetRequiredService<ProxyOptions>().DrainTimeout);
    }

    [Fact]
    public async Task AMisspelledKey_IsAWarning_NamingTheNearestKnownOne_AtStartAndOnReload()
    {
        await using var sidecar = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = ["http://127.0.0.1:9"] }, """{ "orders": { "Retry": { "MaxRetry": 3 } } }"""));

        var warnings = await WarningsAsync(sidecar);
        Assert.True(warnings.SequenceEqual(["Mesh:Services:orders:Retry:MaxRetry is not a Mesh setting; it is ignored (did you mean Mesh:Services:orders:Retry:MaxRetries?)"]), string.Join("\n", warnings));

        await sidecar.RewriteConfigAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = ["http://127.0.0.1:9"] }).Replace("\"DrainDelay\"", "\"DrainDelya\"", StringComparison.Ordinal));
        await Eventually.TrueAsync(
            async () => (await WarningsAsync(sidecar)).SequenceEqual(["Mesh:Proxy:DrainDelya is not a Mesh setting; it is ignored (did you mean Mesh:Proxy:DrainDelay?)"]),
            "the reload's warning replaces the start's",
            attempts: 1200);
    }

    [Fact]
    public void AnEndpointWithASchemeMeshCannotSendTo_IsRefused()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => ProxyApp.Build([.. FreePorts, "--Services:orders:http:0=ftp://10.0.0.5/"]));

        Assert.Equal(["Services:orders:http:0 must be an http:// or https:// URL (or host:port): Mesh cannot send to 'ftp', was 'ftp://10.0.0.5/'"], error.Errors);
    }

    [Fact]
    public async Task HeadersOverTheLimit_Get431_WithTheProxyErrorHeaderAndBody_Counted()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, $"GET /work HTTP/1.1\r\nHost: orders\r\nX-Big: {new string('a', 40 * 1024)}\r\nConnection: close\r\n\r\n");

        Assert.Equal(431, RawHttp.Status(response));
        Assert.Contains("mesh-proxy-error: headers-too-large", response, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Mesh: the request's headers are over the sidecar's limit", response, StringComparison.Ordinal);
        Assert.Equal(0, backend.Requests);
        await Eventually.TrueAsync(
            async () => (await sidecar.GetAdminAsync("/metrics")).Contains("mesh_proxy_errors_total{otel_scope_name=\"Mesh\",mesh_direction=\"outbound\",mesh_proxy_error=\"headers-too-large\",mesh_service=\"orders\"} 1", StringComparison.Ordinal),
            "the 431 is counted");

        // Under the limit, the same request goes through.
        var small = await RawHttp.SendAsync(sidecar.OutboundPort, $"GET /work HTTP/1.1\r\nHost: orders\r\nX-Big: {new string('a', 30 * 1024)}\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.Status(small));
    }

    private static async Task<List<string>> WarningsAsync(Sidecar sidecar)
    {
        using var config = JsonDocument.Parse(await sidecar.GetAdminAsync("/config"));
        return config.RootElement.GetProperty("reload").GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
    }

    private static async Task<(int ExitCode, string Stderr)> RunSidecarAsync(string[] args, bool withoutPrivilegedPorts = false)
    {
        var result = await SidecarProcess.RunAsync(args, withoutPrivilegedPorts);
        return (result.ExitCode, result.Stderr);
    }
}
