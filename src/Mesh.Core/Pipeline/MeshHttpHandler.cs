namespace Mesh.Pipeline;

/// <summary>
/// The Mesh request path as an <see cref="HttpMessageHandler"/>: a request to <c>http://{service}/path</c> goes
/// through the service's pipeline (<see cref="MeshPipeline"/>: deadline, retries under a budget, endpoint selection,
/// per-try timeout) to one of its endpoints, sent by the inner handler. The in-process client and the sidecar both
/// send through this handler. It serves one service, or (made by <see cref="MeshHttpHandlerFactory.CreateHandler()"/>)
/// the service each request's host names.
/// </summary>
/// <remarks>
/// Only asynchronous sends are supported: <see cref="HttpClient.Send(HttpRequestMessage)"/> throws
/// <see cref="NotSupportedException"/> rather than reach the inner handler without Mesh's policies.
/// </remarks>
public sealed class MeshHttpHandler : DelegatingHandler
{
    private readonly MeshService? _service;
    private readonly MeshServiceRegistry? _registry;

    internal MeshHttpHandler(MeshService service) => _service = service;

    internal MeshHttpHandler(MeshServiceRegistry registry) => _registry = registry;

    /// <summary>Gets the service the handler sends for; null when each request's host names it.</summary>
    public string? ServiceName => _service?.Name;

    /// <summary>Gets the one service the handler sends for (a handler made for a service).</summary>
    internal MeshService Service => _service ?? throw new InvalidOperationException("Mesh: this handler serves the service each request's host names.");

    /// <summary>
    /// Gets or sets whether the caller answers a failed request itself (the sidecar), so that the request is recorded
    /// with the status it answered, once it has (<see cref="UnansweredRequest"/>), not with none.
    /// </summary>
    internal bool AnswersFailures { get; set; }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MeshPipeline.SendAsync(_service ?? ServiceOf(request), this, request, cancellationToken);
    }

    /// <summary>
    /// Refuses a synchronous send. <see cref="DelegatingHandler"/>'s own would hand the request to the inner handler as
    /// it is, skipping every Mesh policy (and, with a logical host such as <c>http://orders</c>, sending it nowhere);
    /// Mesh's retries, backoff, deadlines and discovery are asynchronous, and running them by blocking a thread would
    /// starve the pool under load, which is what the synchronous API exists to avoid.
    /// </summary>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var service = _service?.Name ?? request.RequestUri?.Host ?? "?";
        throw new NotSupportedException(
            $"Mesh: synchronous HttpClient.Send is not supported for service '{service}' (its retries, backoff, deadlines and discovery are asynchronous, " +
            "and blocking a thread on them would starve the thread pool under load). Use SendAsync, GetAsync, PostAsync or another asynchronous method.");
    }

    /// <summary>Hands an attempt, aimed at its endpoint, to the inner handler (the connection pools).</summary>
    internal Task<HttpResponseMessage> SendToEndpointAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    // The service is the request's host; the connection pools below read its idle timeout from the request.
    private MeshService ServiceOf(HttpRequestMessage request)
    {
        var uri = request.RequestUri;
        if (uri is null || !uri.IsAbsoluteUri)
        {
            throw new InvalidOperationException($"Mesh: the request to '{uri}' has no absolute URI, and its host names the service (set the client's BaseAddress, e.g. http://orders).");
        }

        // Only a service whose idle timeout is not the default says so: the request's options are a dictionary, made on
        // first use (240 B a request, a quarter more than the whole path, measured with bench's alloc MeshByHost).
        var service = _registry!.ForRequest(uri);
        if (service.Policy.Options.Upstream.IdleTimeout != Configuration.UpstreamOptions.DefaultIdleTimeout)
        {
            request.Options.Set(Upstream.UpstreamHandler.ServiceKey, service);
        }

        return service;
    }
}
