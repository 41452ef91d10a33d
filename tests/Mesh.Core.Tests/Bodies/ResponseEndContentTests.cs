using System.IO.Pipelines;
using Mesh.Bodies;

namespace Mesh.Core.Tests.Bodies;

/// <summary>
/// A response body watched for its end, read the way a proxy reads it: each read issued before its data has arrived
/// (a read that waits for the network), so every read completes later, through the body stream itself.
/// </summary>
public class ResponseEndContentTests
{
    private sealed class Observer : IResponseEndObserver
    {
        public List<(ResponseEnd End, Exception? Error, long Read)> Ends { get; } = [];

        public void Ended(ResponseEnd end, Exception? error, long read, long written)
        {
            lock (Ends)
            {
                Ends.Add((end, error, read));
            }
        }
    }

    // A response body arriving through a pipe the test writes, watched by an observer, opened for reading.
    private static async Task<(Pipe Pipe, Observer Observer, Stream Body)> OpenWatchedAsync()
    {
        var pipe = new Pipe();
        var observer = new Observer();
        var content = new ResponseEndContent(new StreamContent(pipe.Reader.AsStream()), observer);
        return (pipe, observer, await content.ReadAsStreamAsync());
    }

    [Fact]
    public async Task ReadsThatWait_GetTheirData_AndTheEndIsReportedOnce_WithEveryByteCounted()
    {
        var (pipe, observer, body) = await OpenWatchedAsync();
        await using var _ = body;
        var buffer = new byte[64];

        // Many reads in turn on one stream, each waiting when issued: each completes with what was written for it.
        for (var i = 1; i <= 50; i++)
        {
            var read = body.ReadAsync(buffer.AsMemory());
            Assert.False(read.IsCompleted);
            await pipe.Writer.WriteAsync(new byte[i]);
            Assert.Equal(i, await read);
        }

        Assert.Empty(observer.Ends);
        var end = body.ReadAsync(buffer.AsMemory());
        Assert.False(end.IsCompleted);
        await pipe.Writer.CompleteAsync();
        Assert.Equal(0, await end);

        var ended = Assert.Single(observer.Ends);
        Assert.Equal((ResponseEnd.Completed, null, 50L * 51 / 2), ended);
    }

    [Fact]
    public async Task AReadThatWaits_AndFails_ThrowsTheBodysError_AndReportsTheBodyFailedWithIt()
    {
        var (pipe, observer, body) = await OpenWatchedAsync();
        await using var _ = body;
        var buffer = new byte[64];

        var first = body.ReadAsync(buffer.AsMemory());
        await pipe.Writer.WriteAsync(new byte[10]);
        Assert.Equal(10, await first);

        var broken = body.ReadAsync(buffer.AsMemory());
        Assert.False(broken.IsCompleted);
        var reset = new IOException("the stream was reset");
        await pipe.Writer.CompleteAsync(reset);

        Assert.Same(reset, await Assert.ThrowsAsync<IOException>(async () => await broken));
        var ended = Assert.Single(observer.Ends);
        Assert.Equal(ResponseEnd.Failed, ended.End);
        Assert.Same(reset, ended.Error);
        Assert.Equal(10, ended.Read);
    }
}
