namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>Where the sidecar forwards one service's requests: made once per service, reused by every request.</summary>
/// <param name="Service">The logical service, as error responses name it.</param>
/// <param name="Invoker">The client that sends through the service's Mesh pipeline.</param>
/// <param name="MetricName">The service's <c>mesh.service</c> value: its name, or <c>other</c> for a dynamic service past the bound.</param>
internal sealed record ForwardingRoute(string Service, HttpMessageInvoker Invoker, string MetricName)
{
    /// <summary>Gets the logical destination, <c>http://{service}/</c>, that YARP builds each request's URI from.</summary>
    public string DestinationPrefix { get; } = $"http://{Service}/";

    /// <summary>Gets the identity the service's endpoints must prove, for a configured outbound service of a sidecar with an identity.</summary>
    public MeshTls.ServiceIdentityResolver? Identity { get; init; }
}
