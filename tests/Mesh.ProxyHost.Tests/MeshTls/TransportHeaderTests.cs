using System.Buffers;
using System.IO.Pipelines;
using Mesh.ProxyHost.Features.MeshTls;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.ProxyHost.Tests.MeshTls;

/// <summary>The transport header of opaque TCP between sidecars: four bytes, exactly, read within a deadline; anything else is no header.</summary>
public class TransportHeaderTests
{
    [Fact]
    public void AHeader_NamesItsPort()
    {
        Assert.Equal([(byte)'M', 1, 0x1f, 0x90], TransportHeader.For(8080));
        Assert.Equal(8080, TransportHeader.Parse(new ReadOnlySequence<byte>(TransportHeader.For(8080))));
        Assert.Equal(65535, TransportHeader.Parse(new ReadOnlySequence<byte>(TransportHeader.For(65535))));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'N', 1, 0x1f, 0x90 })]
    [InlineData(new byte[] { (byte)'M', 2, 0x1f, 0x90 })]
    [InlineData(new byte[] { (byte)'M', 1, 0, 0 })]
    [InlineData(new byte[] { (byte)'G', (byte)'E', (byte)'T', (byte)' ' })]
    public void OtherBytes_AreNoHeader(byte[] bytes) => Assert.Null(TransportHeader.Parse(new ReadOnlySequence<byte>(bytes)));

    [Fact]
    public async Task ReadAsync_TakesTheFourBytes_AsTheyCome_AndLeavesTheRest()
    {
        var pipe = new Pipe();
        var reading = TransportHeader.ReadAsync(pipe.Reader, TimeSpan.FromMinutes(1), TimeProvider.System);
        await pipe.Writer.WriteAsync(new byte[] { (byte)'M', 1 });
        Assert.False(reading.IsCompleted);
        await pipe.Writer.WriteAsync(new byte[] { 0x18, 0xeb, 7, 7 });

        Assert.Equal(6379, await reading);
        var rest = await pipe.Reader.ReadAsync();
        Assert.Equal([7, 7], rest.Buffer.ToArray());
    }

    [Fact]
    public async Task ReadAsync_ASilentOrShortPeer_HasNoHeader()
    {
        var time = new FakeTimeProvider();
        var silent = new Pipe();
        var waiting = TransportHeader.ReadAsync(silent.Reader, TimeSpan.FromSeconds(1), time);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await waiting);

        var closed = new Pipe();
        await closed.Writer.WriteAsync(new byte[] { (byte)'M', 1, 0x1f });
        await closed.Writer.CompleteAsync();
        Assert.Null(await TransportHeader.ReadAsync(closed.Reader, TimeSpan.FromSeconds(1), time));
    }
}
