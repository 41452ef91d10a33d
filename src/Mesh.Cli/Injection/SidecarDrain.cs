namespace Mesh.Cli.Injection;

/// <summary>
/// How the sidecar stops within the pod's <c>terminationGracePeriodSeconds</c>: its preStop sleep, then
/// <c>Mesh:Proxy:DrainDelay</c> (<c>/ready</c> answers 503), then up to <c>Mesh:Proxy:DrainTimeout</c> for requests
/// in flight; the three together never exceed the grace period, so the kubelet never kills it mid-drain.
/// </summary>
internal sealed record SidecarDrain(int PreStopSeconds, TimeSpan Delay, TimeSpan Timeout)
{
    /// <summary>
    /// The drain for a grace period of <paramref name="graceSeconds"/>. A regular sidecar sleeps 5 s in preStop (when the
    /// grace period is at least twice that); a native one is stopped after the application and needs none. Then 1 s of
    /// 503 from <c>/ready</c>, and the rest for requests in flight.
    /// </summary>
    public static SidecarDrain For(int graceSeconds, bool native)
    {
        var preStop = !native && graceSeconds >= 2 * MeshPod.PreStopSeconds ? MeshPod.PreStopSeconds : 0;
        var delay = Math.Min(1, graceSeconds - preStop);
        return new SidecarDrain(preStop, TimeSpan.FromSeconds(delay), TimeSpan.FromSeconds(Math.Max(0, graceSeconds - preStop - delay)));
    }
}
