namespace Mesh.Pipeline;

/// <summary>
/// The Mesh request path as an <see cref="HttpMessageHandler"/>: a request to <c>http://{service}/path</c> goes
/// through the service's pipeline (<see cref="MeshPipeline"/>: deadline, retries under a budget, endpoint selection,
/// per-try timeout) to one of its endpoints, sent by the inner handler. The in-process client and the sidecar both
/// send through this handler.
/// </summary>
public sealed class MeshHttpHandler : DelegatingHandler
{
    private readonly MeshService _service;

    internal MeshHttpHandler(MeshService service) => _service = service;

    /// <summary>Gets the service the handler sends for.</summary>
    internal MeshService Service => _service;

    /// <summary>
    /// Gets or sets whether the caller answers a failed request itself (the sidecar), so that the request is recorded
    /// with the status it answered, once it has (<see cref="UnansweredRequest"/>), not with none.
    /// </summary>
    internal bool AnswersFailures { get; set; }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MeshPipeline.SendAsync(_service, this, request, cancellationToken);
    }

    /// <summary>Hands an attempt, aimed at its endpoint, to the inner handler (the connection pools).</summary>
    internal Task<HttpResponseMessage> SendToEndpointAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
