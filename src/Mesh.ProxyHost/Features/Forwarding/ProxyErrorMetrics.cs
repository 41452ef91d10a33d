using System.Diagnostics.Metrics;
using Mesh.Telemetry;

namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>
/// Counts the responses the sidecar makes itself (<see cref="ProxyErrors"/>), by listener and reason, on Mesh's meter:
/// the requests that never reached a service's pipeline (unknown service, loop, CONNECT) show up here and nowhere else.
/// </summary>
internal sealed class ProxyErrorMetrics
{
    private readonly Counter<long> _errors;

    public ProxyErrorMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeshInstruments.Name);
        _errors = meter.CreateCounter<long>(MeshInstruments.ProxyErrors, "{response}", "Responses the sidecar made itself instead of the service's, by reason.");
    }

    public void Record(HttpContext context, string reason) => Record(Listeners.Of(context) ?? "unknown", reason);

    /// <summary>Counts a response made before any HTTP request was parsed (a refused <c>CONNECT</c>), by listener.</summary>
    public void Record(string listener, string reason) =>
        _errors.Add(1, new(MeshInstruments.DirectionTag, listener), new(MeshInstruments.ProxyErrorTag, reason));
}
