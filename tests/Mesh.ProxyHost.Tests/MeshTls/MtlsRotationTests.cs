using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Mesh.ProxyHost.Testing.Identity;
using Mesh.ProxyHost.Tests.Identity;

namespace Mesh.ProxyHost.Tests.MeshTls;

/// <summary>
/// A renewed certificate is presented by the next handshake, while requests flow, without a failed request; connections
/// already open keep theirs and are not dropped. The endpoint is a stand-in for a peer sidecar recording the serial of
/// the client certificate of each handshake, or a real sidecar's inbound port.
/// </summary>
public sealed class MtlsRotationTests : IDisposable
{
    private const string Meshed = """{ "orders": { "Identity": "spiffe://example.org/ns/shop/sa/orders", "Upstream": { "IdleTimeout": "IDLE" } } }""";
    private readonly TrustDomain _domain = TrustDomain.Create();

    public void Dispose() => _domain.Dispose();

    [Fact]
    public async Task Renewals_AreUsedByNewHandshakes_UnderLoad_WithoutAFailedRequest()
    {
        await using var backend = await MtlsBackend.StartAsync(_domain, _domain.Issue("/ns/shop/sa/orders"));
        var first = _domain.Issue("/ns/shop/sa/web");
        var files = _domain.Write("web", first);

        // An idle timeout of a second pools nothing: every request opens a connection, so every one is a handshake.
        await using var sidecar = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }, Meshed.Replace("IDLE", "1s", StringComparison.Ordinal)),
            files.Args);
        var serials = new List<string> { first.SerialNumber };
        var failures = 0;
        var sent = 0;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            using var client = sidecar.OutboundClient("orders");
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.GetAsync("/items");
                Interlocked.Increment(ref sent);
                if ((int)response.StatusCode != 200)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();

        for (var renewal = 0; renewal < 3; renewal++)
        {
            // Some handshakes with the certificate in use, then a renewal, taken once /config shows it.
            var handshakes = backend.HandshakeSerials.Count;
            await Eventually.TrueAsync(() => Task.FromResult(backend.HandshakeSerials.Count >= handshakes + 50), "50 more handshakes");
            var next = _domain.Issue("/ns/shop/sa/web");
            files.Write(next);
            serials.Add(next.SerialNumber);
            await Eventually.TrueAsync(async () => (await sidecar.IdentityAsync()).GetProperty("serial").GetString() == next.SerialNumber, "the renewal is in use");
        }

        var after = backend.HandshakeSerials.Count;
        await Eventually.TrueAsync(() => Task.FromResult(backend.HandshakeSerials.Count >= after + 50), "50 handshakes after the last renewal");
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        Assert.Equal(0, failures);
        var seen = backend.HandshakeSerials.ToArray();
        Assert.Equal(serials, seen.Distinct());
        Assert.Equal(serials[^1], seen[^1]);
        Assert.True(sent >= 200, $"{sent} requests");
    }

    [Fact]
    public async Task ARenewal_DoesNotDropAnOpenConnection()
    {
        await using var backend = await MtlsBackend.StartAsync(_domain, _domain.Issue("/ns/shop/sa/orders"));
        var first = _domain.Issue("/ns/shop/sa/web");
        var files = _domain.Write("web", first);
        await using var sidecar = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }, Meshed.Replace("IDLE", "1m", StringComparison.Ordinal)),
            files.Args);
        using var client = sidecar.OutboundClient("orders");
        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync("/before");
            Assert.Equal(200, (int)response.StatusCode);
        }

        var next = _domain.Issue("/ns/shop/sa/web");
        files.Write(next);
        await Eventually.TrueAsync(async () => (await sidecar.IdentityAsync()).GetProperty("serial").GetString() == next.SerialNumber, "the renewal is in use");
        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync("/after");
            Assert.Equal(200, (int)response.StatusCode);
        }

        // One connection, one handshake (with the first certificate), all twenty requests on it.
        Assert.Equal([first.SerialNumber], backend.HandshakeSerials);
        Assert.Single(backend.Requests.Select(r => r.ConnectionId).Distinct());
    }

    [Fact]
    public async Task BothLeavesRenewedTenTimes_UnderLoad_OnTheRealInboundPort_NoRequestFails_AndTheServedCertificateChanges()
    {
        await using var app = await TestBackend.StartAsync(static context => context.Response.WriteAsync("app"));
        var calleeFiles = _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders"));
        var callerFiles = _domain.Write("web", _domain.Issue("/ns/shop/sa/web"));
        await using var callee = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>(), inboundTarget: app.Url), calleeFiles.Args);
        await using var caller = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [$"http://127.0.0.1:{callee.InboundPort}"] }, """{ "orders": { "Identity": "spiffe://example.org/ns/shop/sa/orders" } }"""),
            callerFiles.Args);
        var issued = new List<string> { (await callee.IdentityAsync()).GetProperty("serial").GetString()! };
        var served = new ConcurrentQueue<string>();
        var failures = new ConcurrentQueue<string>();
        var sent = 0;
        using var stop = new CancellationTokenSource();

        // Four callers through the caller's sidecar (HTTP/2 over mutual TLS on a pooled connection, which renewals
        // leave open) and two that dial the inbound port themselves, a new connection and handshake per request,
        // recording the serial of the certificate served.
        var pooled = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            using var client = caller.OutboundClient("orders");
            while (!stop.IsCancellationRequested)
            {
                await CountAsync(() => client.GetAsync("/pooled"));
            }
        }));
        var direct = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            using var client = MtlsClient.Create(_domain, _domain.Issue("/ns/shop/sa/batch"), serverSerial: served.Enqueue);
            while (!stop.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"https://127.0.0.1:{callee.InboundPort}/direct");
                request.Headers.ConnectionClose = true;
                await CountAsync(() => client.SendAsync(request));
            }
        }));
        var load = pooled.Concat(direct).ToArray();

        // The start certificate is served before the first renewal is written (the renewal could otherwise land before
        // the direct callers' first handshake, and the start serial would never be seen).
        await Eventually.TrueAsync(() => Task.FromResult(served.Contains(issued[0])), "a handshake with the start certificate");
        for (var renewal = 0; renewal < 10; renewal++)
        {
            var before = Volatile.Read(ref sent);
            var orders = _domain.Issue("/ns/shop/sa/orders");
            calleeFiles.Write(orders);
            callerFiles.Write(_domain.Issue("/ns/shop/sa/web"));
            issued.Add(orders.SerialNumber);
            await Eventually.TrueAsync(async () => (await callee.IdentityAsync()).GetProperty("serial").GetString() == orders.SerialNumber, "the callee's renewal is in use");
            await Eventually.TrueAsync(() => Task.FromResult(served.Contains(orders.SerialNumber) && Volatile.Read(ref sent) >= before + 500), "500 requests and a handshake with the renewal");
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.True(sent >= 5000, $"{sent} requests");
        Assert.Equal(issued, served.Distinct());

        async Task CountAsync(Func<Task<HttpResponseMessage>> send)
        {
            try
            {
                using var response = await send();
                if ((int)response.StatusCode != 200)
                {
                    failures.Enqueue($"{(int)response.StatusCode}");
                }
            }
            catch (HttpRequestException ex)
            {
                failures.Enqueue(ex.Message);
            }

            Interlocked.Increment(ref sent);
        }
    }
}
