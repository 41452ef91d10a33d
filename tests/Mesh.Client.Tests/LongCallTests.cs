using Grpc.Net.Client;
using Mesh.Client.Tests.Infrastructure;
using Mesh.Testing.Grpc;

namespace Mesh.Client.Tests;

/// <summary>
/// The sidecar's long-call tests (Mesh.ProxyHost.Tests.LongCallTests) for a gRPC client on an HttpClient made by
/// AddMeshClient, under the default policy: a 12 s unary call and a 40 s stream succeed.
/// </summary>
public class LongCallTests
{
    [Fact]
    public async Task ATwelveSecondUnaryCall_WithA20sDeadline_Succeeds_UnderTheDefaults()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var host = await MeshClientHost.StartAsync(new Dictionary<string, string?> { ["Services:echo:http:0"] = backend.Url }, service: "echo");
        using var channel = GrpcChannel.ForAddress("http://echo", new GrpcChannelOptions { HttpClient = host.CreateClient("echo") });

        await LongCalls.TwelveSecondUnaryAsync(channel);

        Assert.Equal(1, backend.Calls);
    }

    [Fact]
    public async Task AFortySecondStream_WithA60sDeadline_Succeeds_UnderTheDefaults()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var host = await MeshClientHost.StartAsync(new Dictionary<string, string?> { ["Services:echo:http:0"] = backend.Url }, service: "echo");
        using var channel = GrpcChannel.ForAddress("http://echo", new GrpcChannelOptions { HttpClient = host.CreateClient("echo") });

        await LongCalls.FortySecondStreamAsync(channel);
    }
}
