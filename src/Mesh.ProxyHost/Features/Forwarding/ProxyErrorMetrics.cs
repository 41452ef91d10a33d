using System.Diagnostics.Metrics;
using Mesh.Telemetry;

namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>
/// Counts the responses the sidecar makes itself (<see cref="ProxyErrors"/>), by listener, reason and service, on Mesh's
/// meter: the requests that never reached a service's pipeline (unknown service, loop, CONNECT) show up here and nowhere
/// else. The host an unknown-service error names is a caller's choice, so it takes its name from the same budget as
/// dynamic services' (<see cref="MeshServiceRegistry.MetricNameFor"/>: <c>Mesh:DynamicServices:MaxMetricNames</c>, then
/// <c>other</c>).
/// </summary>
internal sealed class ProxyErrorMetrics
{
    private readonly Counter<long> _errors;
    private readonly MeshServiceRegistry _registry;

    public ProxyErrorMetrics(IMeterFactory meterFactory, MeshServiceRegistry registry)
    {
        var meter = meterFactory.Create(MeshInstruments.Name);
        _errors = meter.CreateCounter<long>(MeshInstruments.ProxyErrors, "{response}", "Responses the sidecar made itself instead of the service's, by reason.");
        _registry = registry;
    }

    /// <summary>Counts <paramref name="error"/>, about <paramref name="service"/> (a service, or the host an unknown-service error names) if any.</summary>
    public void Record(HttpContext context, ProxyError error, string? service)
    {
        var direction = new KeyValuePair<string, object?>(MeshInstruments.DirectionTag, Listeners.Of(context) ?? "unknown");
        var reason = new KeyValuePair<string, object?>(MeshInstruments.ProxyErrorTag, error.Name);
        if (service is null)
        {
            _errors.Add(1, direction, reason);
            return;
        }

        var name = ReferenceEquals(error, ProxyError.UnknownService) ? _registry.MetricNameFor(service) : service;
        _errors.Add(1, direction, reason, new KeyValuePair<string, object?>(MeshInstruments.ServiceTag, name));
    }

    /// <summary>Counts a response made before any HTTP request was parsed (a refused <c>CONNECT</c>), by listener.</summary>
    public void Record(string listener, string reason) =>
        _errors.Add(1, new(MeshInstruments.DirectionTag, listener), new(MeshInstruments.ProxyErrorTag, reason));
}
