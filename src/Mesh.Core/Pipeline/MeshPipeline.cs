using Polly;

namespace Mesh.Pipeline;

/// <summary>
/// The request path, assembled in one place, outermost layer first. Each line says why the layer sits where it does.
/// </summary>
internal static class MeshPipeline
{
    public static ResiliencePipeline<HttpResponseMessage> Build(MeshService service)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = service.Time, Name = service.Name };

        // Golden metrics for the logical request are recorded by MeshHttpHandler around this whole pipeline,
        // so they measure what the caller saw.

        // Endpoint selection, innermost: every attempt picks its endpoint afresh and records its own outcome.
        builder.AddStrategy(_ => new EndpointSelectionStrategy(service), new EndpointSelectionOptions());

        return builder.Build();
    }

    private sealed class EndpointSelectionOptions : ResilienceStrategyOptions
    {
        public EndpointSelectionOptions() => Name = "EndpointSelection";
    }
}
