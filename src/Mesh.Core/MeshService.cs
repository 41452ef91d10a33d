using Mesh.Classification;
using Mesh.Configuration;
using Mesh.Endpoints;
using Mesh.LoadBalancing;
using Mesh.Pipeline;
using Mesh.Telemetry;
using Polly;

namespace Mesh;

/// <summary>
/// The runtime state of calls to one logical service: its endpoints, balancer, classifier and pipeline.
/// One instance per service per host, shared by every handler that calls the service, so statistics
/// survive <c>IHttpClientFactory</c> handler rotation.
/// </summary>
internal sealed class MeshService : IEndpointSource
{
    private readonly MeshTelemetry _telemetry;

    public MeshService(string name, MeshServiceOptions options, ILoadBalancer balancer, MeshTelemetry telemetry, TimeProvider time)
    {
        Name = name;
        Options = options;
        Balancer = balancer;
        Time = time;
        _telemetry = telemetry;
        Classifier = ResponseClassifier.Default;
        var ewma = options.PeakEwma;
        Endpoints = new ServiceEndpoints(address => new MeshEndpoint(address, new PeakEwma(time, ewma.DecayTime, ewma.DefaultRtt, ewma.FailurePenalty)));
        Pipeline = MeshPipeline.Build(this);
    }

    public string Name { get; }

    public MeshServiceOptions Options { get; }

    public ILoadBalancer Balancer { get; }

    public ResponseClassifier Classifier { get; }

    public TimeProvider Time { get; }

    public ServiceEndpoints Endpoints { get; }

    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; }

    string IEndpointSource.ServiceName => Name;

    EndpointSet IEndpointSource.Endpoints => Endpoints.Current;

    public Task EnsureResolvedAsync(CancellationToken cancellationToken)
    {
        var first = Endpoints.FirstResolution;
        return first.IsCompleted ? Task.CompletedTask : first.WaitAsync(cancellationToken);
    }

    /// <summary>Picks the endpoint for the next attempt, or null when the service has none.</summary>
    public MeshEndpoint? Pick(MeshEndpoint? avoid)
    {
        var set = Endpoints.Current;
        var candidates = set.AvailableSpan;
        if (candidates.IsEmpty)
        {
            // Panic mode: with nothing available, balancing over every endpoint beats failing everything.
            candidates = set.AllSpan;
            if (candidates.IsEmpty)
            {
                return null;
            }
        }

        return Balancer.Pick(candidates, avoid);
    }

    public void OnAttemptCompleted(MeshRequest request, MeshEndpoint endpoint, Outcome<HttpResponseMessage> outcome, ResponseClassification classification, TimeSpan elapsed)
    {
        if (classification.Reason != FailureReasons.Cancelled)
        {
            endpoint.Latency.Observe(elapsed, classification.IsFailure);
        }

        var tags = new RequestTags(MeshDirection.Outbound, Name, request.Message.Method.Method, StatusOf(outcome), !classification.IsFailure, ErrorTypeOf(outcome, classification));
        _telemetry.RecordAttempt(in tags, endpoint, elapsed);
    }

    public void OnRequestCompleted(string direction, MeshRequest request, Outcome<HttpResponseMessage> outcome, TimeSpan elapsed)
    {
        var classification = request.LastClassification;
        var tags = new RequestTags(direction, Name, request.Message.Method.Method, StatusOf(outcome), !classification.IsFailure, ErrorTypeOf(outcome, classification));
        _telemetry.RecordRequest(in tags, elapsed);
    }

    private static int StatusOf(Outcome<HttpResponseMessage> outcome) => outcome.Result is { } response ? (int)response.StatusCode : 0;

    private static string? ErrorTypeOf(Outcome<HttpResponseMessage> outcome, ResponseClassification classification) =>
        outcome.Exception is null ? null : classification.Reason;
}
