using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Mesh.ProxyHost.Tests.Transparent;

/// <summary>
/// HTTP/2 detected on the outbound and inbound ports is handed to Kestrel's HTTP/2 pipeline, built for an in-process
/// endpoint: the start-up log an operator reads lists the listeners they configured and nothing else (it once listed
/// an internal loopback port of the OS's choosing, "Now listening on: http://127.0.0.1:41391", that no one had asked for).
/// That the hand-over works without a port of its own, <see cref="OutboundPortDetectionTests"/> shows (h2c and gRPC on
/// the outbound port).
/// </summary>
public class Http2HandoverTests
{
    private const string ListeningOn = "Now listening on: ";

    [Fact]
    public async Task StartLog_ListsTheConfiguredListeners_AndNoInternalOne()
    {
        var logs = new FakeLoggerProvider();
        await using var sidecar = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]>()),
            services => services.AddSingleton<ILoggerProvider>(logs));

        var records = logs.Collector.GetSnapshot();
        var listening = records
            .Where(static r => r.Category == "Microsoft.Hosting.Lifetime" && r.Message.StartsWith(ListeningOn, StringComparison.Ordinal))
            .Select(static r => r.Message[ListeningOn.Length..])
            .Order(StringComparer.Ordinal)
            .ToList();
        var configured = new[] { sidecar.OutboundPort, sidecar.OutboundHttp2Port, sidecar.InboundPort, sidecar.AdminPort }
            .Select(static port => $"http://127.0.0.1:{port}")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(configured, listening);
        var ready = Assert.Single(records, static r => r.Message.StartsWith("Mesh sidecar ready:", StringComparison.Ordinal));
        Assert.StartsWith($"Mesh sidecar ready: outbound {sidecar.OutboundPort},{sidecar.OutboundHttp2Port}, inbound {sidecar.InboundPort}, admin {sidecar.AdminPort}.", ready.Message, StringComparison.Ordinal);
    }
}
