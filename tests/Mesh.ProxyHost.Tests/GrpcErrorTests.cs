using Grpc.Core;
using Grpc.Net.Client;
using Mesh.ProxyHost.Features;
using Mesh.ProxyHost.Tests.Infrastructure;
using Mesh.Testing.Grpc;
using Mesh.Testing.Grpc.Protos;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// The responses the sidecar makes itself, as a gRPC caller gets them: HTTP 200, trailers-only, with the documented
/// <c>grpc-status</c>, a <c>grpc-message</c> saying what the text body says to other callers, and <c>mesh-proxy-error</c>.
/// Read by Grpc.Net.Client and by Debian's python3-grpcio, two gRPC libraries written by others.
/// </summary>
public class GrpcErrorTests
{
    private const string Services = """
        {
          "empty": { "LoadBalancer": "RoundRobin" },
          "slow": { "Timeouts": { "Total": "1s", "PerTry": "1s" } },
          "limited": { "MaxConcurrentRequests": 1 }
        }
        """;

    [Fact]
    public async Task EachSidecarError_IsAGrpcStatus_WithItsMessage_AndTheMeshProxyErrorTrailer()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var sidecar = await StartSidecarAsync(backend);
        var hop = sidecar.Services.GetRequiredService<SidecarIdentity>().Id;

        // The control: a configured service with a live endpoint answers.
        Assert.Equal("ok", (await Client(sidecar, "echo").EchoAsync(new EchoRequest { Text = "ok" })).Text);

        await AssertStatusAsync(sidecar, "nosuch", StatusCode.Unimplemented, "unknown-service", "unknown service 'nosuch'");
        await AssertStatusAsync(sidecar, "empty", StatusCode.Unavailable, "no-endpoints", "service 'empty' has no endpoints");
        await AssertStatusAsync(sidecar, "closed", StatusCode.Unavailable, "connect-error", "could not connect to service 'closed'");
        await AssertStatusAsync(sidecar, "slow", StatusCode.DeadlineExceeded, "deadline-exceeded", "did not answer before the deadline", new EchoRequest { DelayMs = 60_000 });
        await AssertStatusAsync(sidecar, "echo", StatusCode.Internal, "loop", "already passed through this sidecar", headers: new Metadata { { "mesh-hop", hop } });
        await AssertStatusAsync(sidecar, "echo", StatusCode.ResourceExhausted, "headers-too-large", "over the sidecar's limit", headers: BigHeaders());

        // Overloaded: one call in flight is the limit; the next is shed at once.
        using var hanging = new CancellationTokenSource();
        var callsBefore = backend.Calls;
        using var held = Client(sidecar, "limited").EchoAsync(new EchoRequest { DelayMs = 60_000 }, cancellationToken: hanging.Token);
        await Eventually.TrueAsync(() => Task.FromResult(backend.Calls > callsBefore), "the held call reached the backend");
        await AssertStatusAsync(sidecar, "limited", StatusCode.Unavailable, "overloaded", "too many requests to service 'limited'");
        await hanging.CancelAsync();
    }

    [Fact]
    public async Task AForbiddenAddress_IsPermissionDenied()
    {
        await using var backend = await GrpcBackend.StartAsync();
        var json = Sidecar.Json(new Dictionary<string, string[]> { ["echo"] = [backend.Url] })
            .Replace("\"Outbound\": { \"Listen\": \"127.0.0.1:0\",", "\"Outbound\": { \"AllowUnknownHosts\": true, \"Listen\": \"127.0.0.1:0\",", StringComparison.Ordinal);
        await using var sidecar = await Sidecar.StartAsync(json);

        await AssertStatusAsync(sidecar, "169.254.169.254", StatusCode.PermissionDenied, "forbidden-address", "link-local or metadata address");
    }

    [Fact]
    public async Task AnExpiredDeadline_IsDeadlineExceeded_WhicheverSideNoticesFirst()
    {
        // The caller's own deadline and the sidecar's (the same grpc-timeout) end together: whether the client's timer or
        // the sidecar's answer comes first, the caller sees DEADLINE_EXCEEDED (a sidecar 504 used to read as UNAVAILABLE).
        await using var backend = await GrpcBackend.StartAsync();
        await using var sidecar = await StartSidecarAsync(backend);
        var client = Client(sidecar, "echo");

        for (var i = 0; i < 5; i++)
        {
            var error = await Assert.ThrowsAsync<RpcException>(async () =>
                await client.EchoAsync(new EchoRequest { DelayMs = 60_000 }, deadline: DateTime.UtcNow.AddMilliseconds(300)));
            Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        }
    }

    [Fact]
    public async Task PythonGrpcio_ReadsTheSidecarsErrors_AsGrpcStatuses()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var sidecar = await StartSidecarAsync(backend);
        var port = sidecar.OutboundHttp2Port;

        Assert.Equal("OK - -", await PythonAsync(port, "echo", 0));
        Assert.StartsWith("UNIMPLEMENTED unknown-service Mesh: unknown service 'nosuch'", await PythonAsync(port, "nosuch", 0), StringComparison.Ordinal);
        Assert.StartsWith("UNAVAILABLE no-endpoints Mesh: service 'empty' has no endpoints", await PythonAsync(port, "empty", 0), StringComparison.Ordinal);
        Assert.StartsWith("UNAVAILABLE connect-error Mesh: could not connect to service 'closed'", await PythonAsync(port, "closed", 0), StringComparison.Ordinal);
        Assert.StartsWith("DEADLINE_EXCEEDED deadline-exceeded Mesh: service 'slow' did not answer before the deadline", await PythonAsync(port, "slow", 60_000), StringComparison.Ordinal);
    }

    private static async Task AssertStatusAsync(Sidecar sidecar, string service, StatusCode status, string reason, string message, EchoRequest? request = null, Metadata? headers = null)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Client(sidecar, service).EchoAsync(request ?? new EchoRequest { Text = "x" }, headers));

        Assert.True(status == error.StatusCode, $"{service}/{reason}: expected {status}, got {error.StatusCode} ({error.Status.Detail})");
        Assert.StartsWith("Mesh: ", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(reason, error.Trailers.GetValue("mesh-proxy-error"));
    }

    // Three 12 KiB headers: each under HTTP/2's field-size limit, together over the sidecar's 32 KiB.
    private static Metadata BigHeaders() => new()
    {
        { "x-big-1", new string('a', 12 * 1024) },
        { "x-big-2", new string('b', 12 * 1024) },
        { "x-big-3", new string('c', 12 * 1024) },
    };

    private static Task<Sidecar> StartSidecarAsync(GrpcBackend backend) =>
        Sidecar.StartAsync(Sidecar.Json(
            new Dictionary<string, string[]>
            {
                ["echo"] = [backend.Url],
                ["slow"] = [backend.Url],
                ["limited"] = [backend.Url],
                ["closed"] = [$"http://127.0.0.1:{FreePort.Get()}"],
            },
            Services));

    private static Echo.EchoClient Client(Sidecar sidecar, string service) =>
        new(OutboundGrpc.Channel(sidecar, service));

    private static async Task<string> PythonAsync(int port, string authority, int delayMs)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Interop", "grpc_status_client.py");
        var output = await ExternalProcess.RunAsync("/usr/bin/python3", [script, port.ToString(System.Globalization.CultureInfo.InvariantCulture), authority, delayMs.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return output.Trim();
    }
}
