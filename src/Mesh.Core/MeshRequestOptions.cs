namespace Mesh;

/// <summary>
/// What one in-process request may change of its service's (or route's) policy, set on the request before it is sent:
/// <code>
/// using var request = new HttpRequestMessage(HttpMethod.Post, "/orders");
/// request.Options.Set(MeshRequestOptions.Timeout, TimeSpan.FromSeconds(2));   // this request's deadline
/// request.Options.Set(MeshRequestOptions.Idempotent, true);                    // safe to send twice: retried like a GET
/// request.Options.Set(MeshRequestOptions.NoRetry, true);                       // one attempt, no retry and no hedge
/// </code>
/// A request that sets none pays nothing for them.
/// </summary>
public static class MeshRequestOptions
{
    /// <summary>
    /// The request's own deadline, from when it is sent: in place of <c>Timeouts:Total</c>, honoured as a caller's stated
    /// deadline is (like <c>mesh-timeout-ms</c>: the per-try timeout does not cut it short unless a retry could follow).
    /// An ambient deadline that ends sooner still wins. Zero or negative: the deadline has passed, and the request is not sent.
    /// </summary>
    public static readonly HttpRequestOptionsKey<TimeSpan> Timeout = new("Mesh.Timeout");

    /// <summary>
    /// Whether the request may be sent again after it may have reached the service: <c>true</c> retries (and hedges) a
    /// POST as it would a GET; <c>false</c> never resends a GET once it may have arrived. Wins over the route's and the
    /// method's say; an attempt that was not sent at all (a refused connection) is retried either way.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> Idempotent = new("Mesh.Idempotent");

    /// <summary><c>true</c>: one attempt only: no retry and no hedge, whatever the policy allows (a skipped retry is recorded as <c>max_retries</c>).</summary>
    public static readonly HttpRequestOptionsKey<bool> NoRetry = new("Mesh.NoRetry");
}
