using System.Diagnostics;
using Mesh.Bodies;
using Mesh.Classification;
using Mesh.Endpoints;
using Mesh.Routing;
using Mesh.TrafficSplit;
using Mesh.Tap;
using Mesh.Timeouts;
using Polly;

namespace Mesh.Pipeline;

/// <summary>
/// What the layers of one logical request share: the message, its logical target, its deadline, and the fate of each
/// attempt so far. Carried in the Polly <see cref="ResilienceContext"/>.
/// </summary>
/// <remarks>
/// Rented per request and returned when the request is done (one spare per thread), as Polly pools its contexts: it was
/// the largest object Mesh allocated per request. A request that may hedge is not returned, since a losing hedge can
/// still be running when the request ends.
/// </remarks>
internal sealed class MeshRequest
{
    public static readonly ResiliencePropertyKey<MeshRequest> Key = new("Mesh.Request");

    [ThreadStatic]
    private static MeshRequest? t_spare;

    // The response whose gRPC status was read last, and that status (GrpcStatusOf). A request has one attempt at a time
    // (a hedge has a request of its own), so one reader at a time.
    private HttpResponseMessage? _grpcStatusOf;
    private GrpcStatusCode? _grpcStatus;

    private MeshRequest()
    {
    }

    /// <summary>Gets the service's policy in effect when the request started, which it keeps to its end.</summary>
    public MeshServicePolicy Policy { get; private set; } = null!;

    /// <summary>Gets the message, re-aimed at each attempt's endpoint.</summary>
    public HttpRequestMessage Message { get; private set; } = null!;

    /// <summary>Gets the logical target as the caller addressed it, before any attempt re-aimed the message.</summary>
    public Uri OriginalUri { get; private set; } = null!;

    /// <summary>Gets the caller's own cancellation, to tell "the caller gave up" from "a timeout fired".</summary>
    public CancellationToken CallerToken { get; private set; }

    /// <summary>Gets the service's clock, which every timestamp of the request is read from.</summary>
    public TimeProvider Time { get; private set; } = null!;

    /// <summary>Gets when the logical request started, as a timestamp of <see cref="Time"/>.</summary>
    /// <remarks>
    /// The layers share the clock reads of a request (its start, each attempt's start) instead of each reading the
    /// clock again: on some virtual machines a read costs ~100 ns, and a request crossed the clock 15 times before.
    /// </remarks>
    public long Started { get; private set; }

    /// <summary>Gets or sets when the attempt in flight started, as a timestamp of <see cref="Time"/>.</summary>
    public long AttemptStarted { get; set; }

    /// <summary>Gets when the whole request must be done (the total timeout, or the caller's deadline if sooner), as a timestamp of <see cref="Time"/>.</summary>
    public long Deadline { get; private set; }

    /// <summary>Gets the logical request's activity, when someone listens.</summary>
    public Activity? Activity { get; private set; }

    /// <summary>Gets or sets the attempts of a request made while someone taps; null otherwise.</summary>
    public List<TapAttempt>? TapAttempts { get; set; }

    /// <summary>Gets or sets why each retry was made, for the tap; null when no one taps.</summary>
    public List<string>? TapRetries { get; set; }

    /// <summary>Gets or sets the endpoint of the attempt in flight; a hedge avoids it.</summary>
    public MeshEndpoint? CurrentEndpoint { get; set; }

    /// <summary>Gets or sets the endpoint of the last attempt: a retry avoids it when it can.</summary>
    public MeshEndpoint? LastEndpoint { get; set; }

    /// <summary>Gets or sets the classification of the last attempt.</summary>
    public ResponseClassification LastClassification { get; set; }

    /// <summary>Gets or sets the number of attempts made.</summary>
    public int Attempts { get; set; }

    /// <summary>Gets or sets the replay wrapper of a streamed body, if any.</summary>
    public ReplayableContent? Body { get; set; }

    /// <summary>Gets or sets whether a body that needs no wrapper can be sent again (none, in memory, or declared too large).</summary>
    public bool BodyKnownReplayable { get; set; }

    /// <summary>
    /// Gets the request body's bytes the caller sent so far: read from a streamed body as it passed (its wrapper counts
    /// them), or an in-memory body's length once an attempt was made.
    /// </summary>
    public long BodyBytes => Body is { } body ? body.SourceBytes : Attempts > 0 && Message.Content?.Headers.ContentLength is { } length ? length : 0;

    /// <summary>Gets whether the body can be sent again now.</summary>
    public bool BodyReplayable => Body?.CanReplay ?? BodyKnownReplayable;

    /// <summary>Gets or sets whether the per-try timeout bounds each attempt: only where a retry could follow a timeout.</summary>
    public bool PerTryApplies { get; set; }

    /// <summary>Gets or sets whether the attempt in flight has less time than the per-try timeout: the deadline, not the endpoint, bounds it.</summary>
    public bool AttemptCutByDeadline { get; set; }

    /// <summary>Gets or sets whether the current attempt is the single probe of an ejected endpoint.</summary>
    public bool IsProbe { get; set; }

    /// <summary>
    /// Gets or sets whether the first attempt may take <see cref="Started"/> as its own start: nothing was awaited between
    /// the two (discovery had answered), so a second clock read would only find the same moment.
    /// </summary>
    public bool FirstAttemptStartsNow { get; set; }

    /// <summary>Gets or sets when the last attempt ended, as a timestamp of <see cref="Time"/>; 0 before any did.</summary>
    public long AttemptEnded { get; set; }

    /// <summary>
    /// Gets or sets the first attempt's outcome while it waits to be handed to Polly's retry strategy as its first
    /// execution's (<see cref="MeshPipeline"/>: the retry strategy is entered only when that outcome may be retried).
    /// </summary>
    public Outcome<HttpResponseMessage>? FirstOutcome { get; set; }

    /// <summary>Gets or sets the backoff before the next retry, decided with the retry.</summary>
    public TimeSpan NextDelay { get; set; }

    /// <summary>Gets or sets why the last failure was not retried, if it was not.</summary>
    public string? RetrySkipped { get; set; }

    /// <summary>Gets or sets the last attempt when its verdict waits for the end of its response (gRPC trailers).</summary>
    public StreamingAttempt? Streaming { get; set; }

    /// <summary>Gets or sets the request's <c>mesh.route</c> value and its statistics.</summary>
    public RouteStats Route { get; set; } = null!;

    /// <summary>Gets or sets whether the request is a gRPC call (<c>application/grpc*</c>), read once.</summary>
    public bool IsGrpc { get; set; }

    /// <summary>
    /// Gets the gRPC status <paramref name="response"/> carries (<see cref="GrpcStatus.Of"/>), read once for all who ask:
    /// the first reader of a response reads it, later readers of the same response (the attempt's record and span, then
    /// the request's) share that read. Null unless the request is a gRPC call: only a gRPC call is answered with one, so
    /// no other response is searched for it.
    /// </summary>
    public GrpcStatusCode? GrpcStatusOf(HttpResponseMessage response) =>
        !IsGrpc ? null : ReferenceEquals(response, _grpcStatusOf) ? _grpcStatus : ReadGrpcStatus(response);

    /// <summary>
    /// Reads the gRPC status <paramref name="response"/> carries now, for this reader and every later one: where it may
    /// have come since it was last read (a stream's trailers, at the end of its body).
    /// </summary>
    public GrpcStatusCode? ReadGrpcStatus(HttpResponseMessage response)
    {
        _grpcStatus = IsGrpc ? GrpcStatus.Of(response) : null;
        _grpcStatusOf = response;
        return _grpcStatus;
    }

    /// <summary>
    /// Gets or sets whether the request may be sent again after it may have reached the service, settled once as it
    /// starts: the caller's word (<see cref="MeshRequestOptions.Idempotent"/>), else its route's, else its method's.
    /// </summary>
    public bool Idempotent { get; set; }

    /// <summary>Gets or sets which deadline headers the caller sent: only those are looked for again as each attempt is stamped.</summary>
    public DeadlineHeaderSet SentDeadlineHeaders { get; set; }

    /// <summary>Gets or sets whether the caller asked for one attempt only (<see cref="MeshRequestOptions.NoRetry"/>).</summary>
    public bool NoRetry { get; set; }

    /// <summary>Gets or sets the backend of a traffic split the attempt in flight (or the last one) went to; null without a split.</summary>
    public Backend? Backend { get; set; }

    /// <summary>Gets the time left before the deadline; zero or negative once it has passed.</summary>
    public TimeSpan Remaining => RemainingAt(Time.GetTimestamp());

    /// <summary>Rents the state of a new logical request: this thread's spare, or a new one.</summary>
    public static MeshRequest Rent(HttpRequestMessage message, MeshServicePolicy policy, CancellationToken callerToken, TimeProvider time, long started, long deadline, Activity? activity)
    {
        var request = t_spare ?? new MeshRequest();
        t_spare = null;
        request.Start(message, policy, callerToken, time, started, deadline, activity);
        return request;
    }

    /// <summary>Gives the state back once the request is done and nothing can read it any more.</summary>
    public void Return()
    {
        Start(null!, null!, default, null!, 0, 0, null);
        t_spare = this;
    }

    /// <summary>Gets the time left at <paramref name="now"/>, a timestamp just read from <see cref="Time"/>.</summary>
    public TimeSpan RemainingAt(long now) => TimeSpan.FromSeconds((double)(Deadline - now) / Time.TimestampFrequency);

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

        var hedge = new MeshRequest();
        hedge.Start(copy, Policy, CallerToken, Time, Started, Deadline, Activity);
        hedge.OriginalUri = OriginalUri;
        hedge.LastEndpoint = CurrentEndpoint;
        hedge.LastClassification = new(false, true, "hedge");
        hedge.Attempts = Attempts;
        hedge.PerTryApplies = PerTryApplies;
        hedge.Route = Route;
        hedge.IsGrpc = IsGrpc;
        hedge.Idempotent = Idempotent;
        hedge.SentDeadlineHeaders = SentDeadlineHeaders;
        hedge.TapAttempts = TapAttempts;
        hedge.TapRetries = TapRetries;
        return hedge;
    }

    /// <summary>Gets the logical target re-aimed at <paramref name="endpoint"/>.</summary>
    public Uri UriFor(MeshEndpoint endpoint) => endpoint.Uris.For(OriginalUri);

    private void Start(HttpRequestMessage message, MeshServicePolicy policy, CancellationToken callerToken, TimeProvider time, long started, long deadline, Activity? activity)
    {
        Message = message;
        Policy = policy;
        OriginalUri = message?.RequestUri!;
        CallerToken = callerToken;
        Time = time;
        Started = started;
        AttemptStarted = started;
        FirstAttemptStartsNow = false;
        AttemptEnded = 0;
        FirstOutcome = null;
        Deadline = deadline;
        Activity = activity;
        TapAttempts = null;
        TapRetries = null;
        CurrentEndpoint = null;
        LastEndpoint = null;
        LastClassification = ResponseClassification.Success;
        Attempts = 0;
        Body = null;
        BodyKnownReplayable = true;
        IsProbe = false;
        AttemptCutByDeadline = false;
        PerTryApplies = false;
        NextDelay = TimeSpan.Zero;
        RetrySkipped = null;
        Streaming = null;
        Route = null!;
        IsGrpc = false;
        _grpcStatusOf = null;
        _grpcStatus = null;
        Idempotent = false;
        NoRetry = false;
        SentDeadlineHeaders = 0;
        Backend = null;
    }
}
