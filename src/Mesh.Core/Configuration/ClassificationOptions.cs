namespace Mesh.Configuration;

/// <summary>
/// Which outcomes of an attempt count as failures and which may be retried, under
/// <c>Mesh:Services:{service}:Classification</c> (and a route's <c>Classification</c>). Each key unset keeps the default
/// (for a route: its service's); an empty value means none. The defaults are Mesh's rules as README's Classification
/// table gives them.
/// </summary>
public sealed class ClassificationOptions
{
    /// <summary>The default of <see cref="FailureStatuses"/>: every 5xx.</summary>
    public const string DefaultFailureStatuses = "500-599";

    /// <summary>The default of <see cref="RetryableStatuses"/>: 429 and the gateway errors 502, 503 and 504.</summary>
    public const string DefaultRetryableStatuses = "429,502-504";

    /// <summary>The default of <see cref="FailureGrpcStatuses"/>.</summary>
    public const string DefaultFailureGrpcStatuses = "DEADLINE_EXCEEDED,RESOURCE_EXHAUSTED,INTERNAL,UNAVAILABLE,DATA_LOSS";

    /// <summary>The default of <see cref="RetryableGrpcStatuses"/>.</summary>
    public const string DefaultRetryableGrpcStatuses = "UNAVAILABLE";

    /// <summary>
    /// Gets or sets the HTTP statuses that are failures (for metrics, failure accrual and the balancer): codes, ranges and
    /// classes separated by commas (<c>500-599</c>, <c>5xx,408</c>). Default: <c>500-599</c>.
    /// </summary>
    public string? FailureStatuses { get; set; }

    /// <summary>
    /// Gets or sets the HTTP statuses after which an idempotent request is retried, failures or not. Default:
    /// <c>429,502-504</c>.
    /// </summary>
    public string? RetryableStatuses { get; set; }

    /// <summary>
    /// Gets or sets the gRPC statuses that are failures, by name or number (<c>UNAVAILABLE,INTERNAL</c>). Default:
    /// <c>DEADLINE_EXCEEDED,RESOURCE_EXHAUSTED,INTERNAL,UNAVAILABLE,DATA_LOSS</c>.
    /// </summary>
    public string? FailureGrpcStatuses { get; set; }

    /// <summary>
    /// Gets or sets the gRPC statuses after which an idempotent call is retried (and UNAVAILABLE, which means the call was
    /// not processed, after any gRPC call) when it came before any response message. Default: <c>UNAVAILABLE</c>.
    /// </summary>
    public string? RetryableGrpcStatuses { get; set; }
}
