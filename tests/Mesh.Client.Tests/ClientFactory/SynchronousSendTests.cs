using System.Net;
using Mesh.Client.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Client.Tests.ClientFactory;

/// <summary>
/// <c>HttpClient.Send</c>, the synchronous API, never reaches the transport around Mesh: DelegatingHandler's own Send
/// hands the request to the inner handler as it is (with the logical URI, no policy). A transport that supports it
/// records what it is given.
/// </summary>
public class SynchronousSendTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Send_FailsWithNotSupported_AndNothingReachesTheTransport(bool serviceFromHost)
    {
        var transport = new RecordingHandler();
        await using var host = await MeshClientHost.StartAsync(
            new Dictionary<string, string?> { ["Services:orders:http:0"] = "http://10.9.8.7:8080" },
            services =>
            {
                var client = services.AddHttpClient("orders", static c => c.BaseAddress = new Uri("http://orders"));
                (serviceFromHost ? client.AddMesh() : client.AddMesh("orders")).ConfigurePrimaryHttpMessageHandler(() => transport);
            },
            service: null);
        var http = host.CreateClient("orders");

        var error = Assert.Throws<NotSupportedException>(() => http.Send(new HttpRequestMessage(HttpMethod.Get, "/orders/42")));

        Assert.StartsWith("Mesh: synchronous HttpClient.Send is not supported for service 'orders'", error.Message);
        Assert.Contains("Use SendAsync", error.Message);
        Assert.Empty(transport.Sent);

        // The same request sent asynchronously goes through Mesh to the endpoint.
        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/orders/42"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Uri("http://10.9.8.7:8080/orders/42"), Assert.Single(transport.Sent));
    }
}
