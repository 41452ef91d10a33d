using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Mesh.Classification;
using Mesh.ProxyHost.Tests.Infrastructure;
using Mesh.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// HTTP/2 REFUSED_STREAM says the server did not process the stream (RFC 9113 §8.7), so a request so refused is
/// safely sent again whatever its method, and is processed exactly once. The backend is a hand-written h2c server
/// (<see cref="RefusingHttp2Server"/>); the caller speaks h2c to the sidecar's outbound HTTP/2 listener, which
/// forwards HTTP/2 as cleartext HTTP/2 with prior knowledge (<c>MeshForwarder</c>).
/// </summary>
public class RefusedStreamTests
{
    private const string Payload = "order #42: one POST, processed once";

    [Fact]
    public async Task RefusedStream_PostIsRetried_AndProcessedExactlyOnce()
    {
        // Refused once its whole request has arrived: the sidecar has sent the body through, so it holds all of it.
        await using var backend = RefusingHttp2Server.Start(refuse: 1, RefusingHttp2Server.RefuseAt.EndOfRequest);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));
        using var client = new HttpClient(LoopbackConnect.Handler(sidecar.OutboundHttp2Port));

        using var response = await client.SendAsync(Post(new StringContent(Payload, Encoding.UTF8)));

        await AssertServedOnceAsync(response, backend, refused: 1);

        // Which layer retried: SocketsHttpHandler, under Mesh. Its connection pool retries a stream refused before any
        // response (up to 3 times per request, HttpConnectionPool.MaxConnectionFailureRetries), replaying the body
        // from Mesh's ReplayableContent, so Mesh's pipeline sees a single attempt ending in 200 (mesh.retries stays 0).
        // The next test refuses more streams than that, so that Mesh's own classifier has to retry.
    }

    [Fact]
    public async Task RefusedMoreOftenThanSocketsHttpHandlerRetries_MeshRetriesThePost_AsRefusedStream_AndItIsProcessedOnce()
    {
        // Four refusals: the first attempt and SocketsHttpHandler's 3 retries of it. The fourth refusal reaches Mesh as
        // HttpRequestException(HttpProtocolException REFUSED_STREAM); the classifier makes it retryable for any
        // method, so Mesh sends the POST once more (its first retry, within MaxRetries 2) and the fifth stream is served.
        await using var backend = RefusingHttp2Server.Start(refuse: 4, RefusingHttp2Server.RefuseAt.EndOfRequest);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));
        using var retries = new MetricCollector<long>(sidecar.Services.GetRequiredService<IMeterFactory>(), MeshInstruments.Name, MeshInstruments.Retries);
        using var client = new HttpClient(LoopbackConnect.Handler(sidecar.OutboundHttp2Port));

        using var response = await client.SendAsync(Post(new StringContent(Payload, Encoding.UTF8)));

        await AssertServedOnceAsync(response, backend, refused: 4);
        var retry = Assert.Single(retries.GetMeasurementSnapshot());
        Assert.Equal(1, retry.Value);
        Assert.Equal(FailureReasons.Refused, retry.Tags[MeshInstruments.RetryReasonTag]);
    }

    [Fact]
    public async Task RefusedStream_WhileItsBodyIsStillBeingSent_PostIsRetried_AndProcessedExactlyOnce()
    {
        // Refused on its HEADERS while the caller has not yet sent the body, so the sidecar's first upstream attempt is
        // mid-body when the refusal arrives. The server processed nothing, so the POST may go again: the replay buffer
        // reads the rest of the body after the transport failed (ReplayableContent), and the retry sends it whole.
        // Found here: YARP's request content flushes the HEADERS before it reads the caller's body and, when that flush
        // fails (the stream was refused already), stops without reading a byte and without an error; the replay buffer
        // then held an "entire" body of 0 bytes and the resend failed its Content-Length (502, a third of runs). A failed
        // flush now counts as a transport failure like a failed write, and a body shorter than its length is not replayed.
        await using var backend = RefusingHttp2Server.Start(refuse: 1, RefusingHttp2Server.RefuseAt.Headers);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }));
        using var client = new HttpClient(LoopbackConnect.Handler(sidecar.OutboundHttp2Port));
        var refused = Eventually.TrueAsync(() => Task.FromResult(backend.Refused == 1), "the backend refuses the first stream");

        using var response = await client.SendAsync(Post(new HeldContent(Encoding.UTF8.GetBytes(Payload), refused)));

        await AssertServedOnceAsync(response, backend, refused: 1);
    }

    // The caller got the backend's answer; the backend refused `refused` streams and processed one, with the exact body.
    private static async Task AssertServedOnceAsync(HttpResponseMessage response, RefusingHttp2Server backend, int refused)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(RefusingHttp2Server.ResponseBody, await response.Content.ReadAsStringAsync());
        Assert.Equal(refused, backend.Refused);
        Assert.Equal(refused + 1, backend.HeadersFrames);
        Assert.Equal(1, backend.Processed);
        Assert.Equal(Payload, Encoding.UTF8.GetString(backend.Bodies.Single()));
    }

    // The service is named in the URL, so it is the request's :authority; LoopbackConnect takes it to the sidecar.
    private static HttpRequestMessage Post(HttpContent content) => new(HttpMethod.Post, "http://orders/work")
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Content = content,
    };
}
