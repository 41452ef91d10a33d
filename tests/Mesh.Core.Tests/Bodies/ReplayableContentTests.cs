using System.Security.Cryptography;
using Mesh.Bodies;

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
        var wrapper = RequestBody.Prepare(request, Cap, out _)!;

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
        var wrapper = RequestBody.Prepare(request, Cap, out _)!;

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
        Assert.Null(RequestBody.Prepare(request, Cap, out var replayable));
        Assert.False(replayable);
        Assert.Same(original, request.Content);
    }

    [Fact]
    public void InMemoryBody_WithinCap_IsReplayableAsIs()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://orders/") { Content = new StringContent("hello") };
        Assert.Null(RequestBody.Prepare(request, Cap, out var replayable));
        Assert.True(replayable);
    }

    [Fact]
    public async Task BodyCutShort_IsNeverSentTwice()
    {
        var data = RandomNumberGenerator.GetBytes(1000);
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://orders/") { Content = new StreamContent(new OneShotStream(data)) };
        var wrapper = RequestBody.Prepare(request, Cap, out _)!;

        using var failing = new FailingAfterStream(100);
        await Assert.ThrowsAsync<HttpRequestException>(() => request.Content.CopyToAsync(failing));

        Assert.False(wrapper.CanReplay);
    }

    [Fact]
    public async Task ReplayBuffers_ReturnToThePool_WhenTheRequestIsDisposed()
    {
        var before = ReplayableContent.BufferedBytes;
        var request = new HttpRequestMessage(HttpMethod.Post, "http://orders/") { Content = new StreamContent(new OneShotStream(new byte[30_000])) };
        RequestBody.Prepare(request, Cap, out _);
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
