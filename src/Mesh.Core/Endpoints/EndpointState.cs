namespace Mesh.Endpoints;

/// <summary>Where an endpoint stands with failure accrual.</summary>
public enum EndpointState
{
    /// <summary>Takes requests.</summary>
    Ready,

    /// <summary>Taken out of rotation after failures, until its penalty ends.</summary>
    Ejected,

    /// <summary>Its penalty ended; one real request decides whether it returns.</summary>
    Probing,
}

/// <summary>Tag values for <see cref="EndpointState"/>.</summary>
public static class EndpointStateExtensions
{
    /// <summary>
    /// The <c>mesh.endpoint.state</c> value of a ready endpoint that asked for less traffic (a 429, or a 503 with
    /// <c>Retry-After</c>): balanced around until the time it named, not ejected.
    /// </summary>
    public const string Loaded = "loaded";

    /// <summary>Gets the value of the <c>mesh.endpoint.state</c> tag: <c>ready</c>, <c>ejected</c> or <c>probing</c>.</summary>
    public static string ToTagValue(this EndpointState state) => state switch
    {
        EndpointState.Ejected => "ejected",
        EndpointState.Probing => "probing",
        _ => "ready",
    };
}
