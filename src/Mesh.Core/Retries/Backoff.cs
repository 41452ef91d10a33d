using System.Globalization;
using System.Net.Http.Headers;

namespace Mesh.Retries;

/// <summary>
/// Delays between attempts: exponential with "full jitter" (a uniform draw below a ceiling that doubles from
/// <c>baseDelay</c> up to <c>maxDelay</c>), never below 1 ms, or the server's <c>Retry-After</c> when it sent
/// one, capped at <c>maxRetryAfter</c>.
/// </summary>
internal static class Backoff
{
    private static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(1);

    public static TimeSpan Delay(int retry, TimeSpan baseDelay, TimeSpan maxDelay, double random)
    {
        // 2^retry computed in floating point and clamped first, so no attempt number overflows.
        var ceilingMs = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(retry, 0, 62)));
        var draw = double.IsNaN(random) ? 1 : Math.Clamp(random, 0, 1);
        var delay = TimeSpan.FromMilliseconds(ceilingMs * draw);
        return delay < Floor ? Floor : delay;
    }

    /// <summary>Reads <c>Retry-After</c> (seconds or an HTTP date) relative to <paramref name="now"/>, capped; null when absent or unusable.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage? response, DateTimeOffset now, TimeSpan cap)
    {
        if (response?.Headers.RetryAfter is not RetryConditionHeaderValue value)
        {
            return null;
        }

        var wait = value.Delta ?? (value.Date is { } date ? date - now : null);
        if (wait is not { } w || w < TimeSpan.Zero)
        {
            return wait is null ? null : Floor;
        }

        return w > cap ? cap : (w < Floor ? Floor : w);
    }

    internal static string Format(TimeSpan delay) => delay.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture);
}
