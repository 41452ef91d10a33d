using Mesh.Classification;
using Mesh.Endpoints;
using Polly;

namespace Mesh.Pipeline;

/// <summary>
/// What the layers of one logical request share: the message, its logical target, and the fate of each
/// attempt so far. Carried in the Polly <see cref="ResilienceContext"/>.
/// </summary>
internal sealed class MeshRequest
{
    public static readonly ResiliencePropertyKey<MeshRequest> Key = new("Mesh.Request");

    public MeshRequest(HttpRequestMessage message, CancellationToken callerToken)
    {
        Message = message;
        CallerToken = callerToken;
        var uri = message.RequestUri!;
        PathAndQuery = uri.PathAndQuery;
    }

    public HttpRequestMessage Message { get; }

    /// <summary>Gets the caller's own cancellation, to tell "the caller gave up" from "a timeout fired".</summary>
    public CancellationToken CallerToken { get; }

    /// <summary>Gets the path and query of the logical target, re-aimed at each attempt's endpoint.</summary>
    public string PathAndQuery { get; }

    /// <summary>Gets or sets the endpoint of the last attempt: a retry avoids it when it can.</summary>
    public MeshEndpoint? LastEndpoint { get; set; }

    /// <summary>Gets or sets the classification of the last attempt.</summary>
    public ResponseClassification LastClassification { get; set; } = ResponseClassification.Success;

    /// <summary>Gets or sets the number of attempts made.</summary>
    public int Attempts { get; set; }

    public Uri UriFor(MeshEndpoint endpoint)
    {
        var address = endpoint.Address;
        var basePath = address.AbsolutePath;
        return basePath.Length <= 1
            ? new Uri(string.Concat(address.Scheme, "://", address.Authority, PathAndQuery))
            : new Uri(string.Concat(address.Scheme, "://", address.Authority, basePath.TrimEnd('/'), PathAndQuery));
    }
}
