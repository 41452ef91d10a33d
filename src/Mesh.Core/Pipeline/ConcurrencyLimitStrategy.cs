using Polly;
using Polly.RateLimiting;

namespace Mesh.Pipeline;

/// <summary>
/// Sheds load: at most <c>limit</c> requests of a service in flight, and the next one is refused at once with
/// <see cref="RateLimiterRejectedException"/> (the sidecar answers it 503), never queued. Lock-free: an interlocked
/// count, where a queue-less <c>ConcurrencyLimiter</c> takes a lock and allocates a lease per request.
/// </summary>
internal sealed class ConcurrencyLimitStrategy(int limit) : ResilienceStrategy<HttpResponseMessage>
{
    private int _inFlight;

    protected override ValueTask<Outcome<HttpResponseMessage>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<HttpResponseMessage>>> callback,
        ResilienceContext context,
        TState state)
    {
        if (Interlocked.Increment(ref _inFlight) > limit)
        {
            Interlocked.Decrement(ref _inFlight);
            return new(Outcome.FromException<HttpResponseMessage>(
                new RateLimiterRejectedException($"Mesh: {limit} requests of this service are in flight already; this one was shed.")));
        }

        ValueTask<Outcome<HttpResponseMessage>> pending;
        try
        {
            pending = callback(context, state);
        }
        catch
        {
            Interlocked.Decrement(ref _inFlight);
            throw;
        }

        if (pending.IsCompleted)
        {
            Interlocked.Decrement(ref _inFlight);
            return pending;
        }

        return ReleaseWhenDone(pending, context.ContinueOnCapturedContext);
    }

    private async ValueTask<Outcome<HttpResponseMessage>> ReleaseWhenDone(ValueTask<Outcome<HttpResponseMessage>> pending, bool continueOnCapturedContext)
    {
        try
        {
            return await pending.ConfigureAwait(continueOnCapturedContext);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
