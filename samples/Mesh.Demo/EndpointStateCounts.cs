namespace Mesh.Demo;

/// <summary>The <c>mesh.endpoints</c> gauge at one moment: how many endpoints are in each state.</summary>
internal sealed record EndpointStateCounts(long Ready, long Ejected, long Probing)
{
    public static readonly EndpointStateCounts Unknown = new(0, 0, 0);
}
