namespace Mesh.Classification;

/// <summary>The reasons a classification gives, used as tag values (<c>error.type</c>, <c>mesh.retry.reason</c>).</summary>
public static class FailureReasons
{
    /// <summary>Not a failure.</summary>
    public const string Ok = "ok";

    /// <summary>The connection could not be made (refused, unreachable, name not resolved): nothing was sent.</summary>
    public const string ConnectError = "connect_error";

    /// <summary>The service has no endpoints at all (none configured or discovered yet): nothing was sent.</summary>
    public const string NoEndpoints = "no_endpoints";

    /// <summary>The endpoint's address is one the host never connects to (link-local, a cloud metadata service): nothing was sent.</summary>
    public const string ForbiddenAddress = "forbidden_address";

    /// <summary>
    /// The endpoint's certificate did not prove the identity the service's endpoints must have (another SPIFFE ID, none,
    /// or a chain the trust bundle does not sign): nothing was sent.
    /// </summary>
    public const string IdentityMismatch = "identity_mismatch";

    /// <summary>The server refused the request before processing it (HTTP/2 REFUSED_STREAM).</summary>
    public const string Refused = "refused_stream";

    /// <summary>The attempt ran out of time.</summary>
    public const string Timeout = "timeout";

    /// <summary>The connection broke after the request may have reached the server.</summary>
    public const string ConnectionBroken = "connection_broken";

    /// <summary>The caller cancelled.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Refused before it was sent because too many requests were in flight (load shed).</summary>
    public const string Overloaded = "overloaded";

    /// <summary>Any other exception.</summary>
    public const string Error = "error";

    /// <summary>The gRPC status UNAVAILABLE.</summary>
    public const string GrpcUnavailable = "grpc_unavailable";

    /// <summary>A gRPC status other than UNAVAILABLE that counts as failure.</summary>
    public const string GrpcFailure = "grpc_failure";

    /// <summary>The endpoint answered 429 Too Many Requests.</summary>
    public const string TooManyRequests = "status_429";

    // The reasons of other statuses (only those configuration counts as failures or retryable reach them), made once each.
    private static readonly string?[] OtherStatuses = new string?[500];

    /// <summary>
    /// Gets the reason for a status the classification counts as a failure or retryable: <c>status_429</c>,
    /// <c>status_503</c> (5xx as <see cref="ServerError"/> names them), <c>status_404</c>; without allocating after the first time.
    /// </summary>
    public static string Status(int status)
    {
        if (status == 429)
        {
            return TooManyRequests;
        }

        if (status is >= 500 or < 100)
        {
            return ServerError(status);
        }

        ref var reason = ref OtherStatuses[status - 100];
        return reason ??= string.Concat("status_", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Gets the reason for a 5xx status, e.g. <c>status_503</c>, without allocating.</summary>
    public static string ServerError(int status) => status switch
    {
        500 => "status_500",
        501 => "status_501",
        502 => "status_502",
        503 => "status_503",
        504 => "status_504",
        _ => "status_5xx",
    };
}
