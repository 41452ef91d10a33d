using System.Text;
using Mesh.ProxyHost.Features.Detection;

namespace Mesh.ProxyHost.Tests.Transparent;

/// <summary>What the first bytes of a connection say: decided as soon as they can be, undecided while they could still be either.</summary>
public class ProtocolDetectorTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1\r\n", "Http1")]
    [InlineData("POST /orders?id=7 HTTP/1.0\r\nHost: x\r\n\r\n", "Http1")]
    [InlineData("CONNECT orders:443 HTTP/1.1\r\n", "Http1")]
    [InlineData("OPTIONS * HTTP/1.1\r\n", "Http1")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "Http2")]
    [InlineData("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", "Opaque")] // Redis (RESP)
    [InlineData("GET / SPDY/3\r\n", "Opaque")]
    [InlineData("HELLO WORLD\r\n", "Opaque")]
    [InlineData("\0\0\0\x0cbinary", "Opaque")]
    public void Detect_TellsTheProtocol(string head, string expected) =>
        Assert.Equal(Enum.Parse<DetectedProtocol>(expected), ProtocolDetector.Detect(Encoding.Latin1.GetBytes(head), completed: false));

    [Fact]
    public void Detect_ATlsClientHello_IsTls()
    {
        // A TLS record header: handshake (22), version 3.1, length; then the ClientHello (1).
        byte[] hello = [0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03];
        Assert.Equal(DetectedProtocol.Tls, ProtocolDetector.Detect(hello, completed: false));
    }

    [Theory]
    [InlineData("G")]
    [InlineData("GET")]
    [InlineData("GET /orders/42")]
    [InlineData("GET /orders/42 HTTP/1")]
    [InlineData("PRI * HTTP/2.0\r\n")] // a prefix of the preface is no HTTP/1 request line yet
    [InlineData("\x16")]
    public void Detect_APrefixOfEither_WaitsForMore(string head)
    {
        Assert.Null(ProtocolDetector.Detect(Encoding.Latin1.GetBytes(head), completed: false));

        // Unless the client has finished: then what it sent is all there is, and it is not HTTP.
        Assert.Equal(DetectedProtocol.Opaque, ProtocolDetector.Detect(Encoding.Latin1.GetBytes(head), completed: true));
    }

    [Fact]
    public void Detect_ARequestLineLongerThanTheLimit_IsOpaque()
    {
        var line = "GET /" + new string('a', ProtocolDetector.MaxRequestLine);
        Assert.Equal(DetectedProtocol.Opaque, ProtocolDetector.Detect(new System.Buffers.ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(line)), completed: false));
    }
}
