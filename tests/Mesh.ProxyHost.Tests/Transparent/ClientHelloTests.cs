using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Mesh.MultiHost.Tests.Infrastructure;
using Mesh.ProxyHost.Features.Detection;
using Mesh.ProxyHost.Features.MeshTls;

namespace Mesh.ProxyHost.Tests.Transparent;

/// <summary>
/// A ClientHello offering one of Mesh's ALPN protocols is a peer sidecar's; any other is not. The ClientHellos are real:
/// sent by .NET's SslStream (as a sidecar sends them) and by openssl, captured by a loopback server.
/// </summary>
public class ClientHelloTests
{
    [Fact]
    public async Task ASidecarsClientHellos_OfferMeshsProtocols()
    {
        Assert.True(Offers(await DotnetHelloAsync(MeshAlpn.HttpOffer)));
        Assert.True(Offers(await DotnetHelloAsync(MeshAlpn.TcpOffer)));
    }

    [Fact]
    public async Task OtherClientHellos_DoNot()
    {
        Assert.False(Offers(await DotnetHelloAsync([SslApplicationProtocol.Http2, SslApplicationProtocol.Http11])));
        Assert.False(Offers(await DotnetHelloAsync(null)));
        Assert.False(Offers(await OpenSslHelloAsync("-alpn h2,http/1.1")));
        Assert.False(Offers(await OpenSslHelloAsync("")));
        Assert.True(Offers(await OpenSslHelloAsync("-alpn h2,peer.mesh.io/v1")));
    }

    [Fact]
    public async Task AnIncompleteRecord_WaitsForMore_UnlessTheClientIsDone()
    {
        var hello = await DotnetHelloAsync(MeshAlpn.HttpOffer);
        for (var length = 0; length < hello.Length; length += 37)
        {
            Assert.Null(ClientHello.OffersMeshProtocol(new ReadOnlySequence<byte>(hello, 0, length), completed: false));
            Assert.False(ClientHello.OffersMeshProtocol(new ReadOnlySequence<byte>(hello, 0, length), completed: true));
        }
    }

    [Fact]
    public async Task DamagedClientHellos_OfferNothing_AndNeverThrow()
    {
        var hello = await DotnetHelloAsync(MeshAlpn.TcpOffer);
        var random = new Random(3);
        for (var i = 0; i < hello.Length; i++)
        {
            foreach (var value in new byte[] { 0x00, 0xff, (byte)random.Next(256) })
            {
                var damaged = (byte[])hello.Clone();
                damaged[i] = value;
                _ = ClientHello.OffersMeshProtocol(new ReadOnlySequence<byte>(damaged), completed: true);
            }
        }

        // A record longer than TLS allows, and a handshake that is no ClientHello.
        Assert.False(ClientHello.OffersMeshProtocol(new ReadOnlySequence<byte>([0x16, 0x03, 0x01, 0xff, 0xff, 0x01]), completed: false));
        Assert.False(ClientHello.OffersMeshProtocol(new ReadOnlySequence<byte>([0x16, 0x03, 0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00]), completed: false));
    }

    private static bool Offers(byte[] hello) => ClientHello.OffersMeshProtocol(new ReadOnlySequence<byte>(hello), completed: false)
        ?? throw new InvalidOperationException("The captured ClientHello is incomplete.");

    // The first TLS record a client sends: its ClientHello.
    private static async Task<byte[]> CaptureAsync(Func<int, Task> client)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var connecting = client(port);
        using var socket = await listener.AcceptSocketAsync();
        var header = new byte[5];
        await ReadExactlyAsync(socket, header);
        var record = new byte[5 + ((header[3] << 8) | header[4])];
        header.CopyTo(record, 0);
        await ReadExactlyAsync(socket, record.AsMemory(5));
        socket.Close();
        await connecting;
        return record;
    }

    private static async Task ReadExactlyAsync(Socket socket, Memory<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("The client closed before its ClientHello was whole.");
            }

            buffer = buffer[read..];
        }
    }

    private static Task<byte[]> DotnetHelloAsync(List<SslApplicationProtocol>? protocols) => CaptureAsync(async port =>
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        using var tls = new SslStream(tcp.GetStream());
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1", EnabledSslProtocols = SslProtocols.Tls13, ApplicationProtocols = protocols });
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            // The capturing server closes after the ClientHello.
        }
    });

    private static Task<byte[]> OpenSslHelloAsync(string options) =>
        CaptureAsync(port => Shell.RunAsync("sh", ["-c", $"openssl s_client -connect 127.0.0.1:{port} {options} </dev/null >/dev/null 2>&1"], TimeSpan.FromSeconds(30)));
}
