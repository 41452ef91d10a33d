namespace Mesh.Configuration;

/// <summary>Retries, governed by a retry budget (Finagle's and Linkerd's semantics), under <c>Mesh:Services:{service}:Retry</c>.</summary>
public sealed class RetryOptions
{
    /// <summary>Gets or sets the most retries of one request (attempts = 1 + this). 0 turns retries off. Default: 2.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Gets or sets the share of the window's requests that retries may add, in (0, 1]. Default: 0.2 (Linkerd's 20%).</summary>
    public double BudgetRatio { get; set; } = 0.2;

    /// <summary>Gets or sets the retries per second allowed whatever the traffic. Default: 10 (Linkerd's and Finagle's).</summary>
    public int BudgetMinPerSecond { get; set; } = 10;

    /// <summary>Gets or sets how far back the budget counts requests and retries. Default: 10 s.</summary>
    public TimeSpan BudgetWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the first backoff ceiling; each retry doubles it. The delay is drawn uniformly below it ("full jitter"). Default: 25 ms.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(25);

    /// <summary>Gets or sets the largest backoff ceiling. Default: 250 ms.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Gets or sets the longest <c>Retry-After</c> honoured; a longer one is waited only this long. Default: 1 s.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the largest request body buffered for replay, in bytes; larger bodies are never retried. Default: 65536 (64 KiB, as Linkerd).</summary>
    public int MaxReplayBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Gets or sets whether POST and PATCH may be retried after they may have reached the server, as if idempotent.
    /// Default: false; a single request opts in with an <c>Idempotency-Key</c> header.
    /// </summary>
    public bool RetryNonIdempotent { get; set; }
}
