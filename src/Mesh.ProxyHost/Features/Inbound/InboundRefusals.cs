using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using System.Net;
using Mesh.ProxyHost.Features.MeshTls;
using Mesh.Telemetry;

namespace Mesh.ProxyHost.Features.Inbound;

/// <summary>
/// Inbound callers the sidecar turns away without an answer, their connection closed: counted in
/// <c>mesh.inbound.refused</c> by reason, and logged (at most one line per reason every <see cref="LogThrottle.Period"/>,
/// saying how many were not logged).
/// </summary>
internal sealed partial class InboundRefusals
{
    /// <summary>A caller without mutual TLS (plaintext, or TLS that is not a peer sidecar's) under <c>Mesh:Proxy:Inbound:Tls=Strict</c>.</summary>
    public const string Plaintext = "plaintext";

    /// <summary>A TLS caller without a client certificate under <c>Strict</c>: its handshake fails.</summary>
    public const string NoCertificate = "no_certificate";

    /// <summary>A TLS caller whose certificate the trust bundle does not sign, or that carries no SPIFFE ID: its handshake fails.</summary>
    public const string UntrustedCertificate = "untrusted_certificate";

    /// <summary>An opaque TCP connection authorization denied (<c>Mesh:Proxy:Inbound:Authorization</c>).</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>A peer's opaque TCP without a valid transport header, or naming a port it may not (another than it was sent to, the sidecar's own).</summary>
    public const string BadHeader = "bad_header";

    private readonly Counter<long> _refused;
    private readonly ILogger _logger;
    private readonly FrozenDictionary<string, LogThrottle> _logs;

    public InboundRefusals(IMeterFactory meterFactory, TimeProvider time, ILogger<InboundRefusals> logger)
    {
        var meter = meterFactory.Create(MeshInstruments.Name);
        _refused = meter.CreateCounter<long>(MeshInstruments.InboundRefused, "{refusal}", "Inbound callers turned away without an answer (their connection closed), by reason.");
        _logger = logger;
        _logs = new[] { Plaintext, NoCertificate, UntrustedCertificate, Unauthorized, BadHeader }.ToFrozenDictionary(static r => r, _ => new LogThrottle(time));
    }

    /// <summary>Counts a refusal for <paramref name="reason"/> (one of the constants) of the caller at <paramref name="peer"/>, and logs why when the log is not throttled.</summary>
    public void Record(string reason, EndPoint? peer, string why)
    {
        _refused.Add(1, new KeyValuePair<string, object?>(MeshInstruments.RefusalReasonTag, reason));
        if (_logs[reason].ShouldLog(out var suppressed))
        {
            Log.Refused(_logger, peer?.ToString() ?? "?", why, reason, suppressed);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(71, LogLevel.Warning, "Refused an inbound caller from {Peer}: {Why} ({Reason}; {Suppressed} more not logged since the last line).")]
        public static partial void Refused(ILogger logger, string peer, string why, string reason, long suppressed);
    }
}
