using System.Diagnostics.Metrics;
using Mesh.Telemetry;

namespace Mesh.ProxyHost.Features.MeshTls;

/// <summary>
/// <c>mesh.inbound.refused</c>: inbound callers the sidecar turned away without an answer, by reason (<c>plaintext</c>:
/// a caller without mutual TLS under <c>Mesh:Proxy:Inbound:Tls=Strict</c>).
/// </summary>
internal sealed class InboundTlsMetrics
{
    public const string Plaintext = "plaintext";

    private readonly Counter<long> _refused;

    public InboundTlsMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeshInstruments.Name);
        _refused = meter.CreateCounter<long>(MeshInstruments.InboundRefused, "{refusal}", "Inbound callers turned away without an answer (their connection closed), by reason.");
    }

    public void RecordRefused(string reason) =>
        _refused.Add(1, new KeyValuePair<string, object?>(MeshInstruments.RefusalReasonTag, reason));
}
