using Mesh.Classification;
using Mesh.Configuration;
using Mesh.LoadBalancing;
using Mesh.Pipeline;
using Mesh.Timeouts;
using Polly;

namespace Mesh;

/// <summary>
/// What is configured for one service, as one immutable snapshot: its options, the classifier built from them and the
/// Polly pipeline. A reload builds a new policy and swaps it in whole (<see cref="MeshService.Apply"/>); a request reads
/// the policy once as it starts and keeps it to its end, so it never sees half of one configuration and half of another.
/// What the service has learned lives in <see cref="MeshService"/> and is kept.
/// </summary>
internal sealed class MeshServicePolicy
{
    public MeshServicePolicy(MeshService service, MeshServiceOptions options)
    {
        Options = options;
        Classifier = new ResponseClassifier(options.Retry.RetryNonIdempotent);
        Backpressure = new BackpressurePolicy(options.Backpressure);
        TotalTimeout = (long)(options.Timeouts.Total.TotalSeconds * service.Time.TimestampFrequency);
        PerTryHeader = DeadlineHeaders.FormatMeshTimeout(options.Timeouts.PerTry);
        Pipeline = MeshPipeline.Build(service, this);
    }

    public MeshServiceOptions Options { get; }

    public ResponseClassifier Classifier { get; }

    /// <summary>Gets which answers ask their endpoint to be spared, and for how long.</summary>
    public BackpressurePolicy Backpressure { get; }

    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; }

    /// <summary>Gets <c>Timeouts:Total</c> in timestamp units of the service's clock.</summary>
    public long TotalTimeout { get; }

    /// <summary>
    /// Gets the <c>mesh-timeout-ms</c> value of an attempt with its whole per-try timeout ahead of it, formatted once:
    /// most attempts have.
    /// </summary>
    public string PerTryHeader { get; }
}
