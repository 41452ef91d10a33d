using System.Net.Sockets;
using System.Text;

namespace Mesh.Testing;

/// <summary>A client that writes exact bytes, as a non-.NET caller (or an attacker) would, and reads what comes back.</summary>
public static class RawHttp
{
    /// <summary>Sends <paramref name="request"/> as written and returns the response text until the server closes or stops sending.</summary>
    public static Task<string> SendAsync(int port, string request, TimeSpan? readFor = null) =>
        SendAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port), request, readFor);

    /// <summary>Sends <paramref name="request"/> to <paramref name="endpoint"/> as written and returns the response text until the server closes or stops sending.</summary>
    public static async Task<string> SendAsync(System.Net.IPEndPoint endpoint, string request, TimeSpan? readFor = null)
    {
        using var client = new TcpClient(endpoint.AddressFamily);
        await client.ConnectAsync(endpoint);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var read = new CancellationTokenSource(readFor ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, read.Token)) > 0)
            {
                text.Append(Encoding.ASCII.GetString(buffer, 0, n));
                if (IsComplete(text.ToString()))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }

        return text.ToString();
    }

    /// <summary>Gets the status code of the first response in <paramref name="response"/>, or 0.</summary>
    public static int Status(string response) =>
        response.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && int.TryParse(response.AsSpan(9, 3), out var status) ? status : 0;

    private static bool IsComplete(string text)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var head = text[..end];
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return text.Length - end - 4 >= int.Parse(line[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? text.EndsWith("0\r\n\r\n", StringComparison.Ordinal) : false;
    }
}
