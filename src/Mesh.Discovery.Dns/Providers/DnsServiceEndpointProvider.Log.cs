using Microsoft.Extensions.Logging;

namespace Mesh.Discovery.Dns.Providers;

/// <summary>The DNS provider's log lines (category <c>Mesh.Discovery.Dns</c>).</summary>
internal sealed partial class DnsServiceEndpointProvider
{
    private static partial class Log
    {
        [LoggerMessage(70, LogLevel.Debug, "Service '{Service}': {Target} gave {Count} endpoints, TTL {Ttl} s; looking again in {Next} s.")]
        public static partial void Resolved(ILogger logger, string service, string target, int count, double ttl, double next);

        [LoggerMessage(71, LogLevel.Warning, "Service '{Service}': DNS lookup of {Target} failed ({Reason}); Mesh keeps the last good endpoints and retries.")]
        public static partial void Failed(ILogger logger, Exception exception, string service, string target, string reason);

        [LoggerMessage(72, LogLevel.Debug, "Service '{Service}': {Count} endpoints already came from configuration; DNS is not asked.")]
        public static partial void Skipped(ILogger logger, string service, int count);
    }
}
