using Grpc.Net.Client;
using Mesh.ProxyHost.Tests.Infrastructure;
using Mesh.Testing.Grpc;
using Mesh.Testing.Grpc.Protos;

namespace Mesh.ProxyHost.Tests;

/// <summary>Two sidecars in a row, as between two meshed services: the caller's outbound, then the callee's inbound.</summary>
public class SidecarToSidecarTests
{
    [Fact]
    public async Task Grpc_CrossesTheCallersOutboundAndTheCalleesInbound_AsHttp2()
    {
        await using var backend = await GrpcBackend.StartAsync();
        var calleeJson = Sidecar.Json(new Dictionary<string, string[]>(), inboundTarget: backend.Url)
            .Replace("\"Inbound\": { \"Listen\": \"127.0.0.1:0\",", "\"Inbound\": { \"Listen\": \"127.0.0.1:0\", \"ListenHttp2\": \"127.0.0.1:0\", \"Service\": \"echo\",", StringComparison.Ordinal);
        await using var callee = await Sidecar.StartAsync(calleeJson);
        await using var caller = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["echo"] = [$"http://127.0.0.1:{callee.InboundHttp2Port}"] }));
        using var channel = OutboundGrpc.Channel(caller);

        var reply = await new Echo.EchoClient(channel).EchoAsync(new EchoRequest { Text = "across" });

        Assert.Equal("across", reply.Text);
        Assert.Equal("HTTP/2", reply.Protocol);
        var metrics = await callee.GetAdminAsync("/metrics");
        Assert.Contains("mesh_direction=\"inbound\"", metrics, StringComparison.Ordinal);
        Assert.Contains("mesh_service=\"echo\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http1_CrossesTwoSidecars_AndTheHopHeaderDoesNotReachTheApplication()
    {
        var seen = new List<string>();
        await using var app = await TestBackend.StartAsync(ctx =>
        {
            lock (seen)
            {
                seen.AddRange(ctx.Request.Headers.Keys);
            }

            return Task.CompletedTask;
        });
        await using var callee = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>(), inboundTarget: app.Url));
        await using var caller = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [$"http://127.0.0.1:{callee.InboundPort}"] }));
        using var client = caller.OutboundClient("orders");

        using var response = await client.GetAsync("/work");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(1, app.Requests);
        Assert.DoesNotContain("mesh-hop", seen, StringComparer.OrdinalIgnoreCase);
    }
}
