using Grpc.Net.Client;

namespace Mesh.ProxyHost.Tests.Infrastructure;

/// <summary>A gRPC channel to a service through a sidecar's outbound h2c port, naming the service in <c>:authority</c>.</summary>
public static class OutboundGrpc
{
    public static GrpcChannel Channel(Sidecar sidecar, string service = "echo") =>
        GrpcChannel.ForAddress($"http://{service}:{sidecar.OutboundHttp2Port}", new GrpcChannelOptions
        {
            HttpHandler = LoopbackConnect.Handler(sidecar.OutboundHttp2Port),
            DisposeHttpClient = true,
        });
}
