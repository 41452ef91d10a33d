namespace Mesh.Classification;

/// <summary>
/// The one verdict on an attempt's outcome that retries, failure accrual, the balancer and telemetry all read.
/// </summary>
/// <param name="IsFailure">Whether the attempt failed: a 5xx, a connection failure, a timeout, a failing gRPC status.</param>
/// <param name="IsRetryable">Whether another attempt may be made: safe for the method, or known to be unprocessed.</param>
/// <param name="Reason">Why, in metric-tag form: <c>status_503</c>, <c>connect_error</c>, <c>timeout</c>, <c>grpc_unavailable</c>, <c>ok</c>.</param>
internal readonly record struct ResponseClassification(bool IsFailure, bool IsRetryable, string Reason)
{
    /// <summary>A successful attempt.</summary>
    public static readonly ResponseClassification Success = new(false, false, FailureReasons.Ok);
}
