using System.Diagnostics.Metrics;
using Mesh.Telemetry;

namespace Mesh.Discovery.Dns.Telemetry;

/// <summary>DNS discovery's instruments, on the <c>Mesh</c> meter created through <see cref="IMeterFactory"/> (which owns and disposes it).</summary>
internal sealed class DnsTelemetry
{
    private readonly Counter<long> _errors;

    public DnsTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeshInstruments.Name);
        _errors = meter.CreateCounter<long>(DnsInstruments.Errors, "{lookup}", "DNS lookups that failed; the service kept its last good endpoints.");
    }

    public void RecordError(string service, string reason) =>
        _errors.Add(1, new KeyValuePair<string, object?>(DnsInstruments.ServiceTag, service), new KeyValuePair<string, object?>(DnsInstruments.ErrorTypeTag, reason));
}
