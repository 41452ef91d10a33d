using Mesh.Configuration;
using Mesh.Endpoints;
using Mesh.FailureAccrual;
using Mesh.LoadBalancing;

namespace Mesh.Core.Tests.LoadBalancing;

/// <summary>Builds endpoints whose latency and load a test sets directly.</summary>
internal static class TestEndpoints
{
    public static MeshEndpoint Create(TimeProvider time, int port, double rttMs = 30) =>
        new(
            new Uri($"http://127.0.0.1:{port}"),
            new PeakEwma(time, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(rttMs), TimeSpan.FromMilliseconds(100)),
            new EndpointHealth(new ConsecutiveFailuresOrSuccessRatePolicy(new FailureAccrualOptions(), time)));

    public static MeshEndpoint[] WithRtts(TimeProvider time, params double[] rttsMs) =>
        rttsMs.Select((rtt, i) => Create(time, 5000 + i, rtt)).ToArray();

    public static Dictionary<MeshEndpoint, int> CountPicks(ILoadBalancer balancer, MeshEndpoint[] endpoints, int picks, MeshEndpoint? avoid = null)
    {
        var counts = endpoints.ToDictionary(e => e, _ => 0);
        for (var i = 0; i < picks; i++)
        {
            counts[balancer.Pick(endpoints, avoid)]++;
        }

        return counts;
    }
}
