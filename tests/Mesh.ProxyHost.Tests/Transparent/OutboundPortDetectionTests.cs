using Grpc.Net.Client;
using Microsoft.AspNetCore.Http;
using Mesh.ProxyHost.Tests.Infrastructure;
using Mesh.Testing.Grpc;

namespace Mesh.ProxyHost.Tests.Transparent;

/// <summary>
/// The outbound port takes HTTP/2 with prior knowledge too (detected from its preface and handed to Kestrel's HTTP/2
/// pipeline), so one port serves HTTP/1.1, h2c and gRPC; the h2c port 4142 keeps working.
/// </summary>
public class OutboundPortDetectionTests
{
    [Fact]
    public async Task H2cPriorKnowledge_OnTheOutboundPort_IsServedAsHttp2()
    {
        await using var backend = await TestBackend.StartHttp2Async(static c => c.Response.WriteAsync(c.Request.Protocol));
        await using var http1Backend = await TestBackend.StartAsync(static c => c.Response.WriteAsync(c.Request.Protocol));
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["h2"] = [backend.Url], ["h1"] = [http1Backend.Url] }));
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, sidecar.Outbound)
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Headers = { Host = "h2" },
        };

        using var response = await client.SendAsync(request);

        Assert.Equal(System.Net.HttpVersion.Version20, response.Version);
        Assert.Equal("HTTP/2", await response.Content.ReadAsStringAsync());

        // HTTP/1.1 on the same port, as before.
        using var http1 = sidecar.OutboundClient("h1");
        Assert.Equal("HTTP/1.1", await http1.GetStringAsync("/"));
    }

    [Fact]
    public async Task Grpc_OnTheOutboundPort_AndOnTheH2cPort()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["echo"] = [backend.Url] }));

        foreach (var port in new[] { sidecar.OutboundPort, sidecar.OutboundHttp2Port })
        {
            using var channel = GrpcChannel.ForAddress("http://echo", new GrpcChannelOptions { HttpHandler = LoopbackConnect.Handler(port) });
            var reply = await new Mesh.Testing.Grpc.Protos.Echo.EchoClient(channel).EchoAsync(new Mesh.Testing.Grpc.Protos.EchoRequest { Text = "hi" });
            Assert.Equal("HTTP/2", reply.Protocol);
        }

        Assert.Equal(2, backend.Calls);
    }
}
