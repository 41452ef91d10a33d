using System.Diagnostics;
using Mesh.Bodies;
using Mesh.Classification;
using Mesh.Endpoints;
using Mesh.Tap;
using Mesh.Timeouts;
using Polly;

namespace Mesh.Pipeline;

/// <summary>
/// What the layers of one logical request share: the message, its logical target, and the fate of each
/// attempt so far. Carried in the Polly <see cref="ResilienceContext"/>.
/// </summary>
internal sealed class MeshRequest
{
    public static readonly ResiliencePropertyKey<MeshRequest> Key = new("Mesh.Request");

    public MeshRequest(HttpRequestMessage message, CancellationToken callerToken, Deadline deadline, Activity? activity)
    {
        Message = message;
        CallerToken = callerToken;
        Deadline = deadline;
        Activity = activity;
        OriginalUri = message.RequestUri!;
        PathAndQuery = OriginalUri.PathAndQuery;
    }

    /// <summary>Gets the logical target as the caller addressed it, before any attempt re-aimed the message.</summary>
    public Uri OriginalUri { get; }

    /// <summary>Gets or sets the attempts of a request made while someone taps; null otherwise.</summary>
    public List<TapAttempt>? TapAttempts { get; set; }

    /// <summary>Gets or sets why each retry was made, for the tap; null when no one taps.</summary>
    public List<string>? TapRetries { get; set; }

    public HttpRequestMessage Message { get; }

    /// <summary>Gets the caller's own cancellation, to tell "the caller gave up" from "a timeout fired".</summary>
    public CancellationToken CallerToken { get; }

    /// <summary>Gets the path and query of the logical target, re-aimed at each attempt's endpoint.</summary>
    public string PathAndQuery { get; }

    /// <summary>Gets or sets the endpoint of the attempt in flight; a hedge avoids it.</summary>
    public MeshEndpoint? CurrentEndpoint { get; set; }

    /// <summary>Gets or sets the endpoint of the last attempt: a retry avoids it when it can.</summary>
    public MeshEndpoint? LastEndpoint { get; set; }

    /// <summary>Gets or sets the classification of the last attempt.</summary>
    public ResponseClassification LastClassification { get; set; } = ResponseClassification.Success;

    /// <summary>Gets or sets the number of attempts made.</summary>
    public int Attempts { get; set; }

    /// <summary>Gets when the whole request must be done: the total timeout, or the caller's deadline if sooner.</summary>
    public Deadline Deadline { get; }

    /// <summary>Gets the logical request's activity, when someone listens.</summary>
    public Activity? Activity { get; }

    /// <summary>Gets or sets the replay wrapper of a streamed body, if any.</summary>
    public ReplayableContent? Body { get; set; }

    /// <summary>Gets or sets whether a body that needs no wrapper can be sent again (none, in memory, or declared too large).</summary>
    public bool BodyKnownReplayable { get; set; } = true;

    /// <summary>Gets whether the body can be sent again now.</summary>
    public bool BodyReplayable => Body?.CanReplay ?? BodyKnownReplayable;

    /// <summary>Gets or sets whether the current attempt is the single probe of an ejected endpoint.</summary>
    public bool IsProbe { get; set; }

    /// <summary>Gets or sets the backoff before the next retry, decided with the retry.</summary>
    public TimeSpan NextDelay { get; set; }

    /// <summary>Gets or sets why the last failure was not retried, if it was not.</summary>
    public string? RetrySkipped { get; set; }

    /// <summary>
    /// Creates the request of a hedged attempt: a copy of the message sharing its in-memory body, aimed away from the
    /// endpoint in flight. Null when the body is streamed, since it cannot be read twice at once.
    /// </summary>
    public MeshRequest? CloneForHedge()
    {
        var content = Message.Content;
        if (content is not (null or ByteArrayContent or ReadOnlyMemoryContent) || !BodyKnownReplayable)
        {
            return null;
        }

        var copy = new HttpRequestMessage(Message.Method, Message.RequestUri)
        {
            Version = Message.Version,
            VersionPolicy = Message.VersionPolicy,
            Content = content,
        };
        foreach (var header in Message.Headers.NonValidated)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return new MeshRequest(copy, CallerToken, Deadline, Activity)
        {
            LastEndpoint = CurrentEndpoint,
            LastClassification = new(false, true, "hedge"),
            Attempts = Attempts,
            TapAttempts = TapAttempts,
            TapRetries = TapRetries,
        };
    }

    public Uri UriFor(MeshEndpoint endpoint) => new(string.Concat(endpoint.RequestPrefix, PathAndQuery));
}
