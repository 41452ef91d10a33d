using Microsoft.AspNetCore.Http;

namespace Mesh.Testing;

/// <summary>Backend behaviours for fault tests, seeded so a run is repeatable.</summary>
public static class FaultyHandlers
{
    /// <summary>Answers 503 to a seeded share of requests and 200 to the rest.</summary>
    public static RequestDelegate FailingShare(int seed, double share)
    {
        var random = new Random(seed);
        return ctx =>
        {
            bool fail;
            lock (random)
            {
                fail = random.NextDouble() < share;
            }

            ctx.Response.StatusCode = fail ? 503 : 200;
            return Task.CompletedTask;
        };
    }

    /// <summary>
    /// Answers <paramref name="status"/> (429, 503) with <c>Retry-After: retryAfterSeconds</c>, or without it when null,
    /// as an overloaded server or a rate limiter does.
    /// </summary>
    public static RequestDelegate PushingBack(int status, int? retryAfterSeconds) => ctx =>
    {
        ctx.Response.StatusCode = status;
        if (retryAfterSeconds is { } seconds)
        {
            ctx.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Task.CompletedTask;
    };
}
