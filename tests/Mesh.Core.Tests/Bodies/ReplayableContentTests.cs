using System.Security.Cryptography;
using Mesh.Bodies;
using Mesh.Testing;

namespace Mesh.Core.Tests.Bodies;

public class ReplayableContentTests
{
    private const int Cap = 64 * 1024;

    /// <summary>A stream that can be read once and cannot seek, like a request body arriving off the network.</summary>
    private sealed class OneShotStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }

    private static async Task<byte[]> SendAsync(HttpContent content)
    {
        using var sink = new MemoryStream();
        await content.CopyToAsync(sink);
        return sink.ToArray();
    }

    [Fact]
    public async Task SmallStreamedBody_ReplaysByteExact()
    {
        var data = RandomNumberGenerator.GetBytes(10_000);
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://orders/") { Content = new StreamContent(new OneShotStream(data)) };
        var wrapper = RequestBody.Prepare(request, Cap, CancellationToken.None, counted: false, out _)!;

        Assert.True(wrapper.CanReplay);
        Assert.Equal(data, await SendAsync(request.Content));
        Assert.True(wrapper.CanReplay);
        Assert.Equal(data, await SendAsync(request.Content));
        Assert.Equal(data, await SendAsync(request.Content));
    }

    [Fact]
    public async Task BodyOverTheCap_WithoutLength_IsSentWholeOnce_ThenNotReplayable()
    {
        var data = RandomNumberGenerator.GetBytes(Cap + 1);
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://orders/") { Content = new StreamContent(new OneShotStream(data)) };
        request.Content.Headers.ContentLength = null;
        var wrapper = RequestBody.Prepare(request, Cap, CancellationToken.None, counted: false, out _)!;

        Assert.Equal(data, await SendAsync(request.Content));
        Assert.False(wrapper.CanReplay);
        await Assert.ThrowsAsync<InvalidOperationException>(() => SendAsync(request.Content));
    }

    [Fact]
    public void BodyDeclaredOverTheCap_IsNotReplayable_AndNotWrapped()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://orders/") { Content = new StreamContent(new OneShotStream(new byte[Cap + 1])) };
        request.Content.Headers.ContentLength = Cap + 1;
        var original = request.Content;
        Assert.Null(RequestBody.Prepare(request, Cap, CancellationToken.None, counted: false, out var replayable));
        Assert.False(replayable);
        Assert.Same(original, request.Content);
    }

    [Fact]
    public async Task BodyDeclaredOverTheCap_Counted_IsWrappedOnlyToCount_SentOnceAsIs_NeverBuffered()
    {
        var data = RandomNumberGenerator.GetBytes(Cap + 1000);
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://orders/") { Content = new StreamContent(new OneShotStream(data)) };
        request.Content.Headers.ContentLength = data.Length;
        var before = ReplayableContent.BufferedBytes;

        var counter = RequestBody.Prepare(request, Cap, CancellationToken.None, counted: true, out var replayable)!;

        Assert.False(replayable);
        Assert.False(counter.CanReplay);
        Assert.Equal(data.Length, request.Content.Headers.ContentLength);
        Assert.Equal(data, await SendAsync(request.Content));
        Assert.Equal(data.Length, counter.SourceBytes);
        Assert.Equal(before, ReplayableContent.BufferedBytes);
        await Assert.ThrowsAsync<InvalidOperationException>(() => SendAsync(request.Content));
    }

    [Fact]
    public async Task BodyDeclaredOverTheCap_Counted_ATransportFailureEndsTheSendAtOnce_WithWhatPassedCounted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://orders/") { Content = new StreamContent(new OneShotStream(new byte[Cap * 2]), 4096) };
        request.Content.Headers.ContentLength = Cap * 2;
        var counter = RequestBody.Prepare(request, Cap, CancellationToken.None, counted: true, out _)!;

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => request.Content.CopyToAsync(new FailingAfterStream(10_000)));
        Assert.IsType<IOException>(error.InnerException);

        // Not read on into a buffer, as a replayable body would be: the copy stopped at the first write that failed.
        Assert.InRange(counter.SourceBytes, 10_000, 10_000 + 4096);
    }

    [Fact]
    public async Task StreamedBody_CountsTheBytesItsSourceGave_OnceHoweverOftenItIsSent()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://orders/") { Content = new StreamContent(new OneShotStream(new byte[10_000])) };
        var wrapper = RequestBody.Prepare(request, Cap, CancellationToken.None, counted: true, out _)!;

        await SendAsync(request.Content);
        await SendAsync(request.Content);

        Assert.Equal(10_000, wrapper.SourceBytes);
    }

    [Fact]
    public void InMemoryBody_WithinCap_IsReplayableAsIs()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://orders/") { Content = new StringContent("hello") };
        Assert.Null(RequestBody.Prepare(request, Cap, CancellationToken.None, counted: false, out var replayable));
        Assert.True(replayable);
    }

    [Fact]
    public async Task TransportFailingMidBody_TheRestIsStillBuffered_AndTheRetrySendsTheWholeBody()
    {
        // The body arrives in chunks (as off a network), and the transport breaks after the first: the attempt fails as
        // it would have, but the rest of the body is read into the buffer, so a retry sends it whole and byte-exact.
        var data = RandomNumberGenerator.GetBytes(40_000);
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://orders/") { Content = new StreamContent(new OneShotStream(data), bufferSize: 4096) };
        var wrapper = RequestBody.Prepare(request, Cap, CancellationToken.None, counted: false, out _)!;

        using var failing = new FailingAfterStream(5000);
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => request.Content.CopyToAsync(failing));

        Assert.IsType<IOException>(error.InnerException);
        Assert.True(wrapper.CanReplay);
        Assert.Equal(data, await SendAsync(request.Content));
    }

    [Fact]
    public async Task TransportFailingMidBody_OfABodyOverTheCap_IsNeverSentTwice_AndStopsReading()
    {
        var source = new OneShotStream(RandomNumberGenerator.GetBytes(Cap * 4));
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://orders/") { Content = new StreamContent(source, bufferSize: 4096) };
        request.Content.Headers.ContentLength = null;
        var wrapper = RequestBody.Prepare(request, Cap, CancellationToken.None, counted: false, out _)!;

        using var failing = new FailingAfterStream(5000);
        await Assert.ThrowsAsync<HttpRequestException>(() => request.Content.CopyToAsync(failing));

        Assert.False(wrapper.CanReplay);
        Assert.True(source.Position <= Cap + 4096, $"read {source.Position} bytes of the source after the transport failed");
        await Assert.ThrowsAsync<InvalidOperationException>(() => SendAsync(request.Content));
    }

    [Fact]
    public async Task ARetryWhileTheFirstSendStillReadsTheBody_WaitsForIt_ThenSendsTheWholeBody()
    {
        using var body = HalfArrivedBody.Start();
        var retry = SendAsync(body.Request.Content!);
        Assert.False(retry.IsCompleted);

        body.Gate.SetResult();
        await Assert.ThrowsAsync<HttpRequestException>(() => body.FirstSend);
        Assert.Equal(body.Data, await retry);
        Assert.True(body.Wrapper.CanReplay);
    }

    [Fact]
    public async Task AResendCancelledWhileTheFirstSendStillReadsTheBody_EndsOnlyOnceTheBodyIsIn_AndWritesNothing()
    {
        // HTTP/2 cancels a refused stream's body before it fails its response: a resend whose body ended at once would
        // report a cancellation where SocketsHttpHandler would otherwise see the refusal that says "send it again".
        using var body = HalfArrivedBody.Start();
        using var refused = new CancellationTokenSource();
        using var resent = new MemoryStream();

        var resend = body.Request.Content!.CopyToAsync(resent, refused.Token);
        refused.Cancel();

        // Give a resend that honoured its cancellation at once the time to end (a correct one cannot, however long).
        await Task.WhenAny(resend, Task.Delay(100));
        Assert.False(resend.IsCompleted);
        Assert.True(body.Wrapper.Settling);

        body.Gate.SetResult();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => resend);
        await Assert.ThrowsAsync<HttpRequestException>(() => body.FirstSend);
        Assert.Equal(0, resent.Length);
        Assert.False(body.Wrapper.Settling);
        Assert.Equal(body.Data, await SendAsync(body.Request.Content!));
    }

    /// <summary>
    /// A wrapped body of which only the first half has arrived, whose first send has started on a transport that broke
    /// on its first write; the rest arrives when <see cref="Gate"/> completes.
    /// </summary>
    private sealed record HalfArrivedBody(byte[] Data, TaskCompletionSource Gate, HttpRequestMessage Request, ReplayableContent Wrapper, Task FirstSend) : IDisposable
    {
        public static HalfArrivedBody Start()
        {
            var data = RandomNumberGenerator.GetBytes(20_000);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var request = new HttpRequestMessage(HttpMethod.Post, "http://orders/") { Content = new HeldContent(data, gate.Task, sentAtOnce: data.Length / 2) };
            var wrapper = RequestBody.Prepare(request, Cap, CancellationToken.None, counted: false, out _)!;
            return new(data, gate, request, wrapper, request.Content.CopyToAsync(new FailingAfterStream(0)));
        }

        public void Dispose() => Request.Dispose();
    }

    [Fact]
    public async Task TransportFailingOnTheFlushBeforeTheBody_TheBodyIsStillBuffered_AndTheRetrySendsItWhole()
    {
        // YARP's request content flushes the headers before reading the caller's body and, if that flush throws, stops
        // without reading anything and without an error. The flush of a stream refused on its HEADERS throws, so the
        // wrapper must treat it as the transport failure it is: the attempt fails, the body is still read and kept.
        var data = RandomNumberGenerator.GetBytes(3_000);
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://orders/") { Content = new FlushFirstContent(data) };
        var wrapper = RequestBody.Prepare(request, Cap, CancellationToken.None, counted: false, out _)!;

        using var refused = new FailingFlushStream();
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => request.Content.CopyToAsync(refused));

        Assert.IsType<IOException>(error.InnerException);
        Assert.Equal(0, refused.Length);
        Assert.True(wrapper.CanReplay);
        Assert.Equal(data, await SendAsync(request.Content));
    }

    [Fact]
    public async Task ABodyThatEndsShortOfItsContentLength_WithoutAnError_IsNotReplayed()
    {
        var data = RandomNumberGenerator.GetBytes(3_000);
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://orders/") { Content = new ShortContent(data, declared: data.Length + 1) };
        var wrapper = RequestBody.Prepare(request, Cap, CancellationToken.None, counted: false, out _)!;

        await SendAsync(request.Content);

        Assert.False(wrapper.CanReplay);
        await Assert.ThrowsAsync<InvalidOperationException>(() => SendAsync(request.Content));
    }

    /// <summary>Like YARP's request content: flushes first, and gives up quietly when the flush fails.</summary>
    private sealed class FlushFirstContent(byte[] data) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            try
            {
                await stream.FlushAsync();
            }
            catch (IOException)
            {
                return;
            }

            await stream.WriteAsync(data);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = data.Length;
            return true;
        }
    }

    /// <summary>Writes its data and ends normally, though it declared one byte more.</summary>
    private sealed class ShortContent(byte[] data, long declared) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(data).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = declared;
            return true;
        }
    }

    private sealed class FailingFlushStream : MemoryStream
    {
        public override Task FlushAsync(CancellationToken cancellationToken) => throw new IOException("stream refused");
    }

    [Fact]
    public async Task ReplayBuffers_ReturnToThePool_WhenTheRequestIsDisposed()
    {
        var before = ReplayableContent.BufferedBytes;
        var request = new HttpRequestMessage(HttpMethod.Post, "http://orders/") { Content = new StreamContent(new OneShotStream(new byte[30_000])) };
        RequestBody.Prepare(request, Cap, CancellationToken.None, counted: false, out _);
        await SendAsync(request.Content!);
        Assert.True(ReplayableContent.BufferedBytes >= before + 30_000);

        request.Dispose();
        Assert.Equal(before, ReplayableContent.BufferedBytes);
    }

    private sealed class FailingAfterStream(int limit) : MemoryStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            Length + buffer.Length > limit ? throw new IOException("connection reset") : base.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
