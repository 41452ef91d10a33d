namespace Mesh.Prometheus.Tests.Infrastructure;

/// <summary>
/// Tests that run a sidecar run one at a time: a sidecar's exporter reads every meter named "Mesh" (and the runtime's)
/// in the process, so two sidecars side by side would count each other's traffic (one sidecar per process in production).
/// </summary>
[CollectionDefinition(Name)]
public sealed class SidecarCollection
{
    public const string Name = "Sidecars, one at a time";
}
