using Polly;

namespace Mesh.Pipeline;

/// <summary>
/// The Mesh request path as an <see cref="HttpMessageHandler"/>: a request to <c>http://{service}/path</c> goes
/// through the service's pipeline (balancing, and the policies) to one of its endpoints. The in-process client
/// and the sidecar both send through this handler.
/// </summary>
public sealed class MeshHttpHandler : DelegatingHandler
{
    private readonly MeshService _service;
    private readonly string _direction;

    internal MeshHttpHandler(MeshService service, string direction)
    {
        _service = service;
        _direction = direction;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _service.EnsureResolvedAsync(cancellationToken).ConfigureAwait(false);

        var meshRequest = new MeshRequest(request, cancellationToken);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(MeshRequest.Key, meshRequest);
        var started = _service.Time.GetTimestamp();
        try
        {
            var outcome = await _service.Pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.Handler.SendToEndpointAsync(state.Request, ctx.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception ex)
                    {
                        return Outcome.FromException<HttpResponseMessage>(ex);
                    }
                },
                context,
                (Handler: this, Request: request)).ConfigureAwait(false);

            _service.OnRequestCompleted(_direction, meshRequest, outcome, _service.Time.GetElapsedTime(started));
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendToEndpointAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
