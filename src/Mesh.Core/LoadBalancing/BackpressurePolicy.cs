using System.Net;
using Mesh.Configuration;
using Mesh.Retries;

namespace Mesh.LoadBalancing;

/// <summary>
/// The policy half of backpressure: which answers are an endpoint's request for less traffic, and for how long. A 429, or
/// a 503 with <c>Retry-After</c>, keeps its endpoint loaded until the <c>Retry-After</c> time, capped at
/// <c>Backpressure:MaxDuration</c>; a 429 without one for <c>Backpressure:DefaultDuration</c>. A 503 without
/// <c>Retry-After</c> says nothing of the kind: it is an ordinary failure. The mechanism (<see cref="MeshService.Pick"/>,
/// <see cref="MeshService.Learn"/>) keeps a loaded endpoint out of balancing and out of failure accrual's count.
/// </summary>
internal sealed class BackpressurePolicy(BackpressureOptions options)
{
    /// <summary>
    /// Gets how long <paramref name="response"/> asks its endpoint to be spared, or null when it does not (the common
    /// case costs one comparison of the status).
    /// </summary>
    public TimeSpan? LoadedFor(HttpResponseMessage response, TimeProvider time)
    {
        var status = response.StatusCode;
        if (status is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) || !options.Enabled)
        {
            return null;
        }

        if (Backoff.RetryAfter(response, time.GetUtcNow(), options.MaxDuration) is { } retryAfter)
        {
            return retryAfter;
        }

        return status == HttpStatusCode.TooManyRequests && options.DefaultDuration > TimeSpan.Zero ? options.DefaultDuration : null;
    }
}
