using System.Diagnostics.Metrics;
using Mesh.Telemetry;

namespace Mesh.ProxyHost.Features.Identity;

/// <summary>
/// The identity's instruments on Mesh's meter: <c>mesh.identity.expiry</c>, the seconds until the workload certificate
/// expires (negative once it has), and <c>mesh.identity.reloads</c>, each reading of renewed files by result.
/// </summary>
internal sealed class IdentityMetrics
{
    private readonly Counter<long> _reloads;

    public IdentityMetrics(IMeterFactory meterFactory, Func<double> secondsToExpiry)
    {
        var meter = meterFactory.Create(MeshInstruments.Name);
        meter.CreateObservableGauge(MeshInstruments.IdentityExpiry, secondsToExpiry, "s", "Seconds until the workload certificate expires; negative once it has.");
        _reloads = meter.CreateCounter<long>(MeshInstruments.IdentityReloads, "{reload}", "Readings of the identity files after a change, by result: renewed, or rejected (the last good identity stays).");
    }

    public void RecordReload(string result) =>
        _reloads.Add(1, new KeyValuePair<string, object?>(MeshInstruments.IdentityReloadTag, result));
}
