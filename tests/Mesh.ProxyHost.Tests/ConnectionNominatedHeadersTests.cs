using Mesh.ProxyHost.Features.Forwarding;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Mesh.ProxyHost.Tests;

public class ConnectionNominatedHeadersTests
{
    [Fact]
    public void NamedFields_AreRemoved_InAnyCaseAndSpacing_ButNotThoseThatFrameOrRouteTheMessage_NorNonTokens()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://orders/") { Content = new StringContent("body") };
        request.Content.Headers.ContentLength = 4;
        foreach (var name in new[] { "X-A", "X-B", "X-C", "Upgrade", "TE" })
        {
            request.Headers.TryAddWithoutValidation(name, "v");
        }

        ConnectionNominatedHeaders.Remove(
            new StringValues(["close, x-a ,X-B,,  Content-Type", "upgrade, te, host, content-length, transfer-encoding, bad name, a\u00e9, ok\u0001"]),
            request.Headers,
            request.Content.Headers);

        Assert.Equal(["X-C", "Upgrade", "TE"], request.Headers.NonValidated.Select(h => h.Key));
        Assert.Equal(["Content-Length"], request.Content.Headers.NonValidated.Select(h => h.Key).Order());
    }

    [Fact]
    public void OnAResponse_NamedFieldsAreRemoved_AndTheRestKept()
    {
        using var upstream = new HttpResponseMessage();
        upstream.Headers.TryAddWithoutValidation("Connection", "X-Internal, keep-alive");
        var headers = new HeaderDictionary { ["X-Internal"] = "hop", ["X-Public"] = "end" };

        Assert.True(upstream.Headers.NonValidated.TryGetValues("Connection", out var connection));
        ConnectionNominatedHeaders.Remove(connection, headers);

        Assert.Equal(["X-Public"], headers.Keys);
    }
}
