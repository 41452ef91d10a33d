namespace Mesh.Configuration;

/// <summary>Deadlines, under <c>Mesh:Services:{service}:Timeouts</c>.</summary>
public sealed class TimeoutOptions
{
    /// <summary>Gets or sets the time a request may take in all, retries and backoff included. Default: 30 s.</summary>
    public TimeSpan Total { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the time one attempt may take; capped by what is left of the total. Default: 10 s.</summary>
    public TimeSpan PerTry { get; set; } = TimeSpan.FromSeconds(10);
}
