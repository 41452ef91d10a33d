namespace Mesh.Retries;

/// <summary>Why a failed attempt was not retried: recorded on the request's activity (its "fate") and in the tap.</summary>
public static class RetrySkipReasons
{
    /// <summary>The failure is not one that may be retried for this request (e.g. a 503 to a POST without <c>Idempotency-Key</c>).</summary>
    public const string NotRetryable = "not_retryable";

    /// <summary>The request had its maximum number of retries.</summary>
    public const string MaxRetries = "max_retries";

    /// <summary>The retry budget was empty.</summary>
    public const string BudgetExhausted = "budget_exhausted";

    /// <summary>The body was too large to buffer, or was not read whole before the failure.</summary>
    public const string BodyNotReplayable = "body_not_replayable";

    /// <summary>Too little time was left before the deadline for a backoff and another attempt.</summary>
    public const string Deadline = "deadline";
}
