using System.Globalization;
using System.Text.Json;
using Mesh.MultiHost.Tests.Infrastructure;
using static Mesh.Cli.Tests.Transparent.TransparentLab;

namespace Mesh.Cli.Tests.Transparent;

/// <summary>
/// The transparent sidecar end to end (issue 15): unchanged programs in a pod whose TCP <c>mesh iptables apply</c>
/// sends to the real sidecar binary, which reads each connection's original destination and detects its protocol on
/// one port per direction. Each test uses destinations of its own, and reads metrics as differences, so they share one
/// lab (<see cref="TransparentLab"/>) in any order.
/// </summary>
public class TransparentSidecarTests(TransparentLab lab) : IClassFixture<TransparentLab>
{
    [NetnsFact]
    public async Task CurlAndRequests_CallingTheBackendsRealAddress_AreCounted_WithTheRightServiceAndStatus()
    {
        var implicitService = $"mesh_service=\"{lab.Srv}:{ImplicitPort}\"";
        var before = await lab.MetricsAsync();

        // Not a configured service: the address dialled is an implicit service's one endpoint, named by the authority.
        for (var i = 0; i < 3; i++)
        {
            var (status, body) = await lab.Lab.CurlAsync("app", $"http://{lab.Srv}:{ImplicitPort}/");
            Assert.True(status == 200 && body.Trim() == "implicit", $"curl got {status} '{body}'; sidecar:\n{lab.Sidecar?.Tail}");
        }

        using var requests = JsonDocument.Parse(await lab.ClientAsync("app", "requests", $"http://{lab.Srv}:{ImplicitPort}/", "5"));
        Assert.Equal(5, requests.RootElement.GetProperty("ok").GetInt32());

        // One of a configured service's endpoints: the service's, as in explicit mode.
        Assert.Equal(200, (await lab.Lab.CurlAsync("app", $"http://{lab.Srv}:{BackendPort}/")).Status);

        var after = await lab.MetricsUntilAsync(
            text => Delta(before, text, "mesh_requests_total", implicitService, "http_response_status_code=\"200\"", "mesh_direction=\"outbound\"") >= 8,
            $"8 requests of {implicitService}");
        Assert.Equal(8, Delta(before, after, "mesh_requests_total", implicitService, "http_response_status_code=\"200\""));
        Assert.True(Delta(before, after, "mesh_requests_total", "mesh_service=\"backend\"", "http_response_status_code=\"200\"") >= 1);
    }

    [NetnsFact]
    public async Task OneOfTwoEndpointsFailingHalfItsRequests_TwoThousandTransparentGets_AtLeast999PerMilleSucceed()
    {
        var before = await lab.MetricsAsync();

        // The application calls srv2 itself, the failing endpoint: that address is one of backend's endpoints, so its
        // requests are the service's, balanced and retried over both, as a configured service's are.
        using var result = JsonDocument.Parse(await lab.ClientAsync("app", "requests", $"http://{lab.Srv2}:{BackendPort}/", "2000"));
        var ok = result.RootElement.GetProperty("ok").GetInt32();
        Assert.True(ok >= 1998, $"{ok} of 2000 succeeded: {result.RootElement}");

        var after = await lab.MetricsUntilAsync(
            text => Delta(before, text, "mesh_requests_total", "mesh_service=\"backend\"") >= 2000,
            "2000 requests of backend");
        Assert.True(Delta(before, after, "mesh_retries_total", "mesh_service=\"backend\"") > 0, "no retries, yet srv2 fails every other request");
    }

    [NetnsFact]
    public async Task GrpcUnaryAndStreaming_AndRedis_PassThroughTheOutboundPort()
    {
        var grpcService = $"mesh_service=\"{lab.Srv}:{GrpcPort}\"";
        var redisService = $"mesh_service=\"{lab.Srv}:{RedisPort}\"";
        var before = await lab.MetricsAsync();

        // gRPC (HTTP/2 with prior knowledge, detected on 4140) to the server's own address.
        var grpc = await lab.ClientAsync("app", "grpc", $"{lab.Srv}:{GrpcPort}");
        Assert.Equal("unary:hi\nstream:0:hi stream:1:hi stream:2:hi stream:3:hi stream:4:hi", grpc);

        // Redis: 6379 is an opaque port; redis-cli sends each command and reads each answer, 2,000 round trips.
        var commands = Path.Combine(Path.GetTempPath(), $"mesh-redis-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        await File.WriteAllLinesAsync(commands, Enumerable.Range(0, 1000).Select(i => $"SET key{i} value{i}").Concat(Enumerable.Range(0, 1000).Select(i => $"GET key{i}")));
        try
        {
            var redis = await lab.Lab.ExecAsync("app", "sh", ["-c", $"redis-cli -h {lab.Srv} -p {RedisPort} < {commands}"], TimeSpan.FromMinutes(2));
            Assert.True(redis.Ok, $"redis-cli failed: {redis.Error}\nsidecar:\n{lab.Sidecar?.Tail}");
            var lines = redis.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(Enumerable.Repeat("OK", 1000).Concat(Enumerable.Range(0, 1000).Select(i => $"value{i}")), lines);
        }
        finally
        {
            File.Delete(commands);
        }

        var after = await lab.MetricsUntilAsync(
            text => Delta(before, text, "mesh_requests_total", grpcService, "rpc_grpc_status_code=\"0\"") >= 2 &&
                Delta(before, text, "mesh_tcp_connections_total", redisService, "mesh_tcp_event=\"close\"") >= 1,
            "the gRPC calls and the redis connection");
        Assert.Equal(2, Delta(before, after, "mesh_requests_total", grpcService, "rpc_grpc_status_code=\"0\""));
        Assert.Equal(1, Delta(before, after, "mesh_tcp_connections_total", redisService, "mesh_tcp_event=\"open\"", "mesh_tcp_detection=\"opaque_port\""));
        Assert.Equal(1, Delta(before, after, "mesh_tcp_connections_total", redisService, "mesh_tcp_event=\"close\"", "mesh_tcp_outcome=\"closed\""));
    }

    [NetnsFact]
    public async Task AVirtualAddressOfAConfiguredService_HttpAndTcp_GoToItsEndpoints()
    {
        var before = await lab.MetricsAsync();

        // Nobody has this address: only the sidecar knows it stands for service web (HTTP) and blobs (TCP).
        var (status, body) = await lab.Lab.CurlAsync("app", $"http://{lab.Virtual}/");
        Assert.True(status == 200 && body.Trim() == "web", $"curl got {status} '{body}'; sidecar:\n{lab.Sidecar?.Tail}");
        using var blob = JsonDocument.Parse(await lab.ClientAsync("app", "blob", lab.Virtual, $"{BlobPort}", BlobSize.ToString(CultureInfo.InvariantCulture)));
        Assert.True(blob.RootElement.GetProperty("download_identical").GetBoolean() && blob.RootElement.GetProperty("upload_identical").GetBoolean(), $"{blob.RootElement}");

        var after = await lab.MetricsUntilAsync(
            text => Delta(before, text, "mesh_requests_total", "mesh_service=\"web\"", "http_response_status_code=\"200\"") >= 1 &&
                Delta(before, text, "mesh_tcp_connections_total", "mesh_service=\"blobs\"", "mesh_tcp_outcome=\"closed\"") >= 1,
            "web's request and blobs' connection");
        Assert.Equal(1, Delta(before, after, "mesh_tcp_connections_total", "mesh_service=\"blobs\"", "mesh_tcp_event=\"open\""));
    }

    [NetnsFact]
    public async Task TenMegabytesEachWay_ThroughOpaqueTcp_ArriveHashIdentical_WithHalfClose()
    {
        var service = $"mesh_service=\"{lab.Srv}:{BlobPort}\"";
        var before = await lab.MetricsAsync();

        using var result = JsonDocument.Parse(await lab.ClientAsync("app", "blob", lab.Srv, $"{BlobPort}", BlobSize.ToString(CultureInfo.InvariantCulture)));

        // The server answers with the hash of what it read only after the client's FIN reached it: half-close.
        Assert.Equal(BlobSize + 32, result.RootElement.GetProperty("received").GetInt32());
        Assert.True(result.RootElement.GetProperty("download_identical").GetBoolean());
        Assert.True(result.RootElement.GetProperty("upload_identical").GetBoolean());
        var after = await lab.MetricsUntilAsync(text => Delta(before, text, "mesh_tcp_bytes_total", service, "network_io_direction=\"receive\"") >= BlobSize + 32, "the blob's bytes");
        Assert.Equal(BlobSize, Delta(before, after, "mesh_tcp_bytes_total", service, "network_io_direction=\"transmit\""));
    }

    [NetnsFact]
    public async Task AServerSpeaksFirstBanner_ItsSecondConnection_SkipsDetection()
    {
        var service = $"mesh_service=\"{lab.Srv}:{BannerPort}\"";
        var before = await lab.MetricsAsync();

        // The client waits for the banner: the first connection is forwarded once detection times out, and the
        // server's speaking first is remembered; the second goes straight through.
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal("220 banner ready\necho hello", await lab.ClientAsync("app", "banner", lab.Srv, $"{BannerPort}"));
        }

        var after = await lab.MetricsUntilAsync(text => Delta(before, text, "mesh_tcp_connections_total", service, "mesh_tcp_event=\"open\"") >= 2, "two banner connections");
        Assert.Equal(1, Delta(before, after, "mesh_tcp_connections_total", service, "mesh_tcp_event=\"open\"", "mesh_tcp_detection=\"timeout\""));
        Assert.Equal(1, Delta(before, after, "mesh_tcp_connections_total", service, "mesh_tcp_event=\"open\"", "mesh_tcp_detection=\"remembered\""));
    }

    [NetnsFact]
    public async Task Inbound_ACallerInTheOtherNamespace_ReachesTheApplication_CountedAsInbound()
    {
        var before = await lab.MetricsAsync();

        // Each port the caller dialled is the application's own port: the configured target's, and another one.
        foreach (var (port, name) in new[] { (AppPort, "app"), (SecondAppPort, "app-second") })
        {
            var (status, body) = await lab.Lab.CurlAsync("srv", $"http://{lab.App}:{port}/");
            Assert.True(status == 200 && body.Trim() == name, $"curl to {port} got {status} '{body}'; sidecar:\n{lab.Sidecar?.Tail}");
        }

        await lab.MetricsUntilAsync(
            text => Delta(before, text, "mesh_requests_total", "mesh_direction=\"inbound\"", "mesh_service=\"app\"", "http_response_status_code=\"200\"") >= 2,
            "the inbound requests");
    }

    [NetnsFact]
    public async Task Inbound_OpaqueTcp_ReachesTheApplicationsPort_CountedAsTcp()
    {
        var before = await lab.MetricsAsync();

        // A server-first protocol on the application's own port: the caller waits for the banner, so the inbound
        // side forwards it as TCP once detection times out, to 127.0.0.1:2526.
        Assert.Equal("220 banner ready\necho hello", await lab.ClientAsync("srv", "banner", lab.App, $"{AppBannerPort}"));

        var after = await lab.MetricsUntilAsync(
            text => Delta(before, text, "mesh_tcp_connections_total", "mesh_direction=\"inbound\"", "mesh_service=\"app\"", "mesh_tcp_event=\"close\"") >= 1,
            "the inbound TCP connection");
        Assert.Equal(1, Delta(before, after, "mesh_tcp_connections_total", "mesh_direction=\"inbound\"", "mesh_service=\"app\"", "mesh_tcp_outcome=\"closed\""));
        Assert.True(Delta(before, after, "mesh_tcp_bytes_total", "mesh_direction=\"inbound\"", "network_io_direction=\"receive\"") > 0);
    }

    [NetnsFact]
    public async Task AConnectionToTheSidecarsOwnPort_ThroughTheRedirect_IsRefused()
    {
        var before = await lab.MetricsAsync();

        // From the other host to the pod's 4140: redirected to the inbound port with 4140 as its original destination.
        // Forwarded, it would reach the outbound listener, which is for the pod alone.
        var result = await lab.Lab.ExecAsync("srv", "curl", ["-sS", "--max-time", "5", "-H", "Host: backend", $"http://{lab.App}:4140/"]);

        Assert.False(result.Ok, $"curl got an answer through the sidecar's own port: {result.Output}");
        await lab.MetricsUntilAsync(
            text => Delta(before, text, "mesh_proxy_errors_total", "mesh_direction=\"inbound\"", "mesh_proxy_error=\"loop\"") >= 1,
            "the refused loop");
    }

    [NetnsFact]
    public async Task HalfClose_TheServerFinishesFirst_WhatTheClientSendsAfterItsFin_StillArrives()
    {
        var service = $"mesh_service=\"{lab.Srv}:{FinFirstPort}\"";
        var before = await lab.MetricsAsync();

        // The server sends 1 MB and shuts its side at once; the client reads to that FIN, then sends 4 MB more.
        using var result = JsonDocument.Parse(await lab.ClientAsync("app", "finfirst", lab.Srv, $"{FinFirstPort}", $"{1024 * 1024}", $"{4 * 1024 * 1024}"));

        Assert.True(result.RootElement.GetProperty("download_identical").GetBoolean(), $"{result.RootElement}");
        var line = $"{result.RootElement.GetProperty("id").GetString()} {result.RootElement.GetProperty("sent_sha256").GetString()}";

        // The server writes its line once it has read the tail to the client's FIN, which may be after the client exits.
        await Eventually.TrueAsync(async () => File.Exists(lab.FinFirstReport) && (await File.ReadAllLinesAsync(lab.FinFirstReport)).Contains(line), $"the server reported {line}");
        var after = await lab.MetricsUntilAsync(text => Delta(before, text, "mesh_tcp_connections_total", service, "mesh_tcp_event=\"close\"") >= 1, "the connection's close");
        Assert.Equal(1, Delta(before, after, "mesh_tcp_connections_total", service, "mesh_tcp_outcome=\"closed\""));
        Assert.Equal(64 * 1024 + 4 * 1024 * 1024, Delta(before, after, "mesh_tcp_bytes_total", service, "network_io_direction=\"transmit\""));
    }

    [NetnsFact]
    public async Task IPv6_OutboundHttpAndTcp_Inbound_AndTheLoopCheck_GoThroughTheIPv6Redirect()
    {
        var implicitService = $"mesh_service=\"[{lab.Srv6}]:{ImplicitPort}\"";
        var blobService = $"mesh_service=\"[{lab.Srv6}]:{BlobPort}\"";
        var before = await lab.MetricsAsync();

        // Outbound: ip6tables sends what curl dials to [::1]:4140, the outbound listener's IPv6 twin.
        var (status, body) = await CurlAsync("app", $"http://[{lab.Srv6}]:{ImplicitPort}/");
        Assert.True(status == 200 && body.Trim() == "implicit", $"curl -6 got {status} '{body}'; sidecar:\n{lab.Sidecar?.Tail}");

        // Opaque TCP over IPv6: 10 MB each way, half-closed.
        using var blob = JsonDocument.Parse(await lab.ClientAsync("app", "blob", lab.Srv6, $"{BlobPort}", BlobSize.ToString(CultureInfo.InvariantCulture)));
        Assert.True(blob.RootElement.GetProperty("download_identical").GetBoolean() && blob.RootElement.GetProperty("upload_identical").GetBoolean(), $"{blob.RootElement}");

        // Inbound: to the pod's IPv6 address, delivered to the inbound listener's [::] twin, then to the application.
        (status, body) = await CurlAsync("srv", $"http://[{lab.App6}]:{AppPort}/");
        Assert.True(status == 200 && body.Trim() == "app", $"inbound curl -6 got {status} '{body}'; sidecar:\n{lab.Sidecar?.Tail}");

        // And the pod's 4140 over IPv6 is one of the sidecar's own listeners: refused.
        (status, _) = await CurlAsync("srv", $"http://[{lab.App6}]:4140/", "-H", "Host: backend");
        Assert.Equal(0, status);

        var after = await lab.MetricsUntilAsync(
            text => Delta(before, text, "mesh_requests_total", implicitService, "http_response_status_code=\"200\"") >= 1 &&
                Delta(before, text, "mesh_tcp_connections_total", blobService, "mesh_tcp_event=\"close\"") >= 1 &&
                Delta(before, text, "mesh_requests_total", "mesh_direction=\"inbound\"", "http_response_status_code=\"200\"") >= 1 &&
                Delta(before, text, "mesh_proxy_errors_total", "mesh_direction=\"inbound\"", "mesh_proxy_error=\"loop\"") >= 1,
            "the IPv6 requests, connection and refused loop");
        Assert.Equal(1, Delta(before, after, "mesh_tcp_connections_total", blobService, "mesh_tcp_outcome=\"closed\""));
        Assert.Equal(BlobSize, Delta(before, after, "mesh_tcp_bytes_total", blobService, "network_io_direction=\"transmit\""));
    }

    [NetnsFact]
    public async Task Connect_ToAHostName_WithAllowUnknownHosts_IsResolvedOnce_AndTunnelled()
    {
        var before = await lab.MetricsAsync();

        // curl -p sends CONNECT blobs.lab:8081; the sidecar resolves the name (srv, in the pod's hosts file) and tunnels.
        var result = await lab.Lab.ExecAsync("app", "curl", ["-sS", "--max-time", "10", "-p", "-x", "http://127.0.0.1:4140", "-w", " %{http_code}", $"http://{LabName}:{ImplicitPort}/"]);
        Assert.True(result.Ok && result.Output.Replace("\n", "", StringComparison.Ordinal) == "implicit 200", $"curl -p got '{result.Output}' {result.Error}; sidecar:\n{lab.Sidecar?.Tail}");

        await lab.MetricsUntilAsync(
            text => Delta(before, text, "mesh_requests_total", $"mesh_service=\"{LabName}:{ImplicitPort}\"", "http_response_status_code=\"200\"") >= 1,
            "the tunnelled request, under the name it was sent to");
    }

    [NetnsFact]
    public async Task AnImplicitService_RetriesAGetTo503_ToTheSameDestination_NotAPost_AndHonoursTheCallersDeadline()
    {
        var key = Guid.NewGuid().ToString("N");
        var url = $"http://{lab.Srv}:{PolicyPort}";
        var before = await lab.MetricsAsync();

        // The server answers 503 the first time for each method and key, with the count in the body.
        var (status, body) = await CurlAsync("app", $"{url}/once/{key}");
        Assert.True(status == 200 && body.Trim() == "2", $"GET got {status} '{body}': not retried to the server that failed it once");
        (status, body) = await CurlAsync("app", $"{url}/once/{key}", "-X", "POST", "--data", "x");
        Assert.True(status == 503 && body.Trim() == "1", $"POST got {status} '{body}': it must not be retried");

        // The caller's own deadline (1 s) ends the wait for an answer that would take 20 s.
        var slow = await lab.Lab.ExecAsync("app", "curl", ["-s", "-i", "--max-time", "15", "-H", "mesh-timeout-ms: 1000", $"{url}/slow"]);
        Assert.StartsWith("HTTP/1.1 504", slow.Output, StringComparison.Ordinal);
        Assert.Contains("mesh-proxy-error: deadline-exceeded", slow.Output, StringComparison.OrdinalIgnoreCase);

        var service = $"mesh_service=\"{lab.Srv}:{PolicyPort}\"";
        var after = await lab.MetricsUntilAsync(text => Delta(before, text, "mesh_requests_total", service) >= 3, "the three requests");
        Assert.Equal(1, Delta(before, after, "mesh_retries_total", service));
    }

    // curl from inside a lab host (-g: brackets in IPv6 URLs are not ranges): status (0 when it failed) and body.
    private async Task<(int Status, string Body)> CurlAsync(string host, string url, params string[] options)
    {
        var result = await lab.Lab.ExecAsync(host, "curl", ["-g", "-s", "--max-time", "10", "-w", "\n%{http_code}", .. options, url], TimeSpan.FromSeconds(20));
        var text = result.Output.TrimEnd('\n');
        var split = text.LastIndexOf('\n');
        var status = int.TryParse(split < 0 ? text : text[(split + 1)..], out var code) ? code : 0;
        return (status, split < 0 ? "" : text[..split]);
    }

    private static double Delta(string before, string after, string metric, params string[] labels) =>
        PrometheusText.Sum(after, metric, labels) - PrometheusText.Sum(before, metric, labels);
}
