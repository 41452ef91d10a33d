using System.Net.Sockets;
using System.Text;
using Mesh.ProxyHost.Tests.Infrastructure;

namespace Mesh.ProxyHost.Tests;

/// <summary>Memory that grows with connections is bounded: over Mesh:Proxy:MaxConnections, a new connection is closed at once.</summary>
public class ConnectionLimitTests
{
    [Fact]
    public async Task OverTheLimit_ANewConnectionIsClosed_AndOneClosingMakesRoom()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }), "--Mesh:Proxy:MaxConnections=2");

        using var first = await OpenServedAsync(sidecar.OutboundPort);
        using var second = await OpenServedAsync(sidecar.OutboundPort);

        // The third connection is accepted by the kernel, then closed by the sidecar without an answer.
        using (var third = new TcpClient())
        {
            await third.ConnectAsync("127.0.0.1", sidecar.OutboundPort);
            Assert.Equal("", await ExchangeAsync(third));
        }

        Assert.Equal(2, backend.Requests);

        // The two admitted connections still work, and closing one lets a new one in.
        Assert.Equal(200, RawHttp.Status(await ExchangeAsync(first)));
        first.Close();
        await Eventually.TrueAsync(
            async () =>
            {
                using var again = new TcpClient();
                await again.ConnectAsync("127.0.0.1", sidecar.OutboundPort);
                return RawHttp.Status(await ExchangeAsync(again)) == 200;
            },
            "a new connection is served once one of the two closed");
    }

    [Fact]
    public async Task AnInvalidLimit_FailsTheStart_NamingTheKey()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>()), "--Mesh:Proxy:MaxConnections=0"));
        Assert.Contains("Mesh:Proxy:MaxConnections must be between 1 and 1000000, was 0", error.Message, StringComparison.Ordinal);
    }

    private static async Task<TcpClient> OpenServedAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        Assert.Equal(200, RawHttp.Status(await ExchangeAsync(client)));
        return client;
    }

    // One keep-alive request on an open connection; the response, or "" when the server closed the connection instead.
    private static async Task<string> ExchangeAsync(TcpClient client)
    {
        var stream = client.GetStream();
        var text = new StringBuilder();
        try
        {
            await stream.WriteAsync("GET / HTTP/1.1\r\nHost: orders\r\n\r\n"u8.ToArray());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var buffer = new byte[4096];
            int n;
            while ((n = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                text.Append(Encoding.ASCII.GetString(buffer, 0, n));
                // The backend's "ok", sent with a length or in chunks.
                if (text.ToString() is var received && (received.EndsWith("ok", StringComparison.Ordinal) || received.EndsWith("ok\r\n0\r\n\r\n", StringComparison.Ordinal)))
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // Reset by the server: nothing was answered.
        }

        return text.ToString();
    }
}
