namespace Mesh.Configuration;

/// <summary>
/// How an endpoint's own request for less traffic is honoured, under <c>Mesh:Services:{service}:Backpressure</c>: a 429,
/// or a 503 with <c>Retry-After</c>, takes the endpoint out of balancing until the <c>Retry-After</c> time (capped), and is
/// not a failure for failure accrual.
/// </summary>
public sealed class BackpressureOptions
{
    /// <summary>
    /// Gets or sets whether such answers mark their endpoint loaded. Default: true. <c>false</c>: a 429 is an ordinary
    /// success to failure accrual and a 503 with <c>Retry-After</c> an ordinary failure, as for any other status.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets the longest a <c>Retry-After</c> keeps an endpoint loaded: a longer one (a rate limiter's "come back
    /// in an hour") is cut to this, so a single answer cannot take an endpoint away for long. Default: 5 s.
    /// </summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets how long a 429 without a usable <c>Retry-After</c> keeps its endpoint loaded; zero: not at all.
    /// Default: 1 s. (A 503 without <c>Retry-After</c> is an ordinary failure.)
    /// </summary>
    public TimeSpan DefaultDuration { get; set; } = TimeSpan.FromSeconds(1);
}
