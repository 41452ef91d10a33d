namespace Mesh.LoadBalancing;

/// <summary>The names of the built-in load balancers, as used in <c>Mesh:Services:{service}:LoadBalancer</c>.</summary>
public static class LoadBalancerNames
{
    /// <summary>Power of two choices over peak-EWMA latency × load (the default).</summary>
    public const string PeakEwma = "PeakEwma";

    /// <summary>Power of two choices over requests in flight.</summary>
    public const string LeastInFlight = "LeastInFlight";

    /// <summary>Each endpoint in turn.</summary>
    public const string RoundRobin = "RoundRobin";
}
