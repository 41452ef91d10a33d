using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Mesh.ProxyHost.Features.Forwarding;
using Mesh.ProxyHost.Tests.Infrastructure;
using Mesh.Testing.Grpc;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.ProxyHost.Tests.Transparent;

/// <summary>
/// CONNECT, for clients that only know proxies: a tunnel to a configured service is handled like an intercepted
/// connection to it (protocol detected inside, the service's policies and metrics), any other CONNECT is refused with
/// <c>Connection: close</c> so the client fails at once. The clients are others': curl <c>-p</c>, Debian's python3-grpcio
/// with <c>http_proxy</c> set, Node's undici <c>ProxyAgent</c> with its default settings.
/// </summary>
/// <remarks>Serial: the sidecar's exporter reads every meter named "Mesh" in the process.</remarks>
[Collection(SerialCollection.Name)]
public class ConnectTunnelTests
{
    [Fact]
    public async Task CurlProxyTunnel_ReachesAConfiguredService_CountedInItsMetrics()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["web"] = [backend.Url] }));

        for (var i = 0; i < 3; i++)
        {
            var curl = await RunAsync("curl", "-sS", "--max-time", "10", "-p", "-x", $"http://127.0.0.1:{sidecar.OutboundPort}", "-w", " %{http_code}", "http://web/hello");
            Assert.Equal("ok 200", curl);
        }

        Assert.Equal(3, backend.Requests);
        Assert.Equal(3, await Scrape.WaitForAsync(sidecar, 3, "mesh_requests_total", "mesh_service=\"web\"", "http_response_status_code=\"200\""));
    }

    [Fact]
    public async Task PythonGrpcWithHttpProxy_ReachesAConfiguredService_CountedInItsMetrics()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["echo"] = [backend.Url] }));

        // gRPC core sees http_proxy and tunnels with CONNECT echo:50051; inside, HTTP/2 (detected) to the service.
        var output = await RunAsync(
            "/usr/bin/python3",
            new Dictionary<string, string> { ["http_proxy"] = $"http://127.0.0.1:{sidecar.OutboundPort}", ["no_proxy"] = "" },
            Path.Combine(AppContext.BaseDirectory, "Interop", "grpc_proxy_client.py"),
            "echo:50051",
            "3");
        Assert.Equal("OK OK OK", output);
        Assert.Equal(3, backend.Calls);
        Assert.Equal(3, await Scrape.WaitForAsync(sidecar, 3, "mesh_requests_total", "mesh_service=\"echo\"", "rpc_grpc_status_code=\"0\""));
    }

    [Fact]
    public async Task UndiciProxyAgent_WithItsDefaults_ReachesAConfiguredService_CountedInItsMetrics()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["web"] = [backend.Url] }));
        var modules = await Undici.InstallAsync();

        var output = await RunAsync(
            "node",
            new Dictionary<string, string> { ["NODE_PATH"] = modules },
            Path.Combine(AppContext.BaseDirectory, "Interop", "undici_proxy_client.js"),
            $"http://127.0.0.1:{sidecar.OutboundPort}",
            "http://web/hello",
            "3");
        Assert.Equal("200 ok\n200 ok\n200 ok", output);
        Assert.Equal(3, await Scrape.WaitForAsync(sidecar, 3, "mesh_requests_total", "mesh_service=\"web\"", "http_response_status_code=\"200\""));
    }

    [Theory]
    [InlineData("unknown.example:443")] // not a configured service
    [InlineData("127.0.0.1:22")] // this host: interception never carries loopback
    [InlineData("169.254.169.254:80")] // a cloud metadata service
    [InlineData("not-an-authority")]
    public async Task AnyOtherConnect_IsRefused_WithConnectionClose_AndTheConnectionEnds(string authority)
    {
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["web"] = ["http://127.0.0.1:9"] }));

        using var tunnel = await ConnectTunnel.OpenAsync(sidecar.OutboundPort, authority);

        Assert.Equal(405, tunnel.Status);
        Assert.Contains("mesh-proxy-error: connect-refused", tunnel.Response, StringComparison.Ordinal);
        Assert.Contains("Connection: close", tunnel.Response, StringComparison.Ordinal);
        Assert.True(await tunnel.ClosedByProxyAsync(), "the sidecar kept the refused connection open");
    }

    [Theory]
    [InlineData("metadata.example:80", 403, "forbidden-address")] // resolves to 169.254.169.254, among others
    [InlineData("nowhere.example:80", 502, "connect-error")] // resolves to nothing
    [InlineData("self.example:22", 405, "connect-refused")] // resolves to this host: interception never carries that
    public async Task WithAllowUnknownHosts_ANameResolvedOnce_IsRefused_WhenAnyOfItsAddressesMayNotBeReached(string authority, int status, string error)
    {
        var resolved = new List<string>();
        var resolver = new HostResolver((host, _) =>
        {
            lock (resolved)
            {
                resolved.Add(host);
            }

            return Task.FromResult(host switch
            {
                "metadata.example" => new[] { IPAddress.Parse("192.0.2.10"), IPAddress.Parse("169.254.169.254") },
                "self.example" => [IPAddress.Loopback],
                _ => throw new SocketException((int)SocketError.HostNotFound),
            });
        });
        await using var sidecar = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["web"] = ["http://127.0.0.1:9"] }),
            services => services.AddSingleton(resolver),
            "--Mesh:Proxy:Outbound:AllowUnknownHosts=true");

        using var tunnel = await ConnectTunnel.OpenAsync(sidecar.OutboundPort, authority);

        Assert.Equal(status, tunnel.Status);
        Assert.Contains($"mesh-proxy-error: {error}", tunnel.Response, StringComparison.Ordinal);
        Assert.Contains("Connection: close", tunnel.Response, StringComparison.Ordinal);
        Assert.True(await tunnel.ClosedByProxyAsync(), "the sidecar kept the refused connection open");
        Assert.Equal([authority.Split(':')[0]], resolved);
    }

    [Fact]
    public async Task WithoutAllowUnknownHosts_ANameIsNotEvenResolved()
    {
        var resolved = 0;
        var resolver = new HostResolver((_, _) =>
        {
            Interlocked.Increment(ref resolved);
            return Task.FromResult(new[] { IPAddress.Parse("192.0.2.10") });
        });
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["web"] = ["http://127.0.0.1:9"] }), services => services.AddSingleton(resolver));

        using var tunnel = await ConnectTunnel.OpenAsync(sidecar.OutboundPort, "public.example:443");

        Assert.Equal(405, tunnel.Status);
        Assert.Contains("mesh-proxy-error: connect-refused", tunnel.Response, StringComparison.Ordinal);
        Assert.Equal(0, resolved);
    }

    private static Task<string> RunAsync(string program, params string[] args) => RunAsync(program, new Dictionary<string, string>(), args);

    private static async Task<string> RunAsync(string program, Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(process.ExitCode == 0, $"{program} exited {process.ExitCode.ToString(CultureInfo.InvariantCulture)}: {await output} {await errors}");
        return (await output).Trim();
    }
}
