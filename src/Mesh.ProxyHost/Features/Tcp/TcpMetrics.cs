using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mesh.Stats;
using Mesh.Telemetry;

namespace Mesh.ProxyHost.Features.Tcp;

/// <summary>
/// The instruments of opaque TCP on Mesh's meter (<c>mesh.tcp.connections</c>, <c>mesh.tcp.active</c>,
/// <c>mesh.tcp.bytes</c>, <c>mesh.tcp.duration</c>; docs/metrics.md) and the rolling figures <c>/stats</c> shows, fed
/// together through one <see cref="TcpConnectionRecord"/> per connection.
/// </summary>
internal sealed class TcpMetrics
{
    // Connections last from milliseconds to hours: 1 ms to an hour, about 3× apart.
    private static readonly IReadOnlyList<double> DurationBuckets =
        [0.001, 0.005, 0.025, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

    private readonly Counter<long> _connections;
    private readonly UpDownCounter<long> _active;
    private readonly Counter<long> _bytes;
    private readonly Histogram<double> _duration;

    public TcpMetrics(IMeterFactory meterFactory, TcpStatsRegistry stats, TimeProvider time)
    {
        Stats = stats;
        Time = time;
        var meter = meterFactory.Create(MeshInstruments.Name);
        _connections = meter.CreateCounter<long>(MeshInstruments.TcpConnections, "{connection}", "Opaque TCP connections: counted when opened (mesh.tcp.event=open) and when closed, with their outcome (mesh.tcp.event=close).");
        _active = meter.CreateUpDownCounter<long>(MeshInstruments.TcpActive, "{connection}", "Opaque TCP connections open now.");
        _bytes = meter.CreateCounter<long>(MeshInstruments.TcpBytes, "By", "Bytes through opaque TCP connections, by network.io.direction (transmit: towards the destination).");
        _duration = meter.CreateHistogram(MeshInstruments.TcpDuration, "s", "How long opaque TCP connections were open, by outcome.", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    public TcpStatsRegistry Stats { get; }

    public TimeProvider Time { get; }

    internal void RecordOpen(in TagList tags, string detection)
    {
        var list = tags;
        list.Add(MeshInstruments.TcpEventTag, "open");
        list.Add(MeshInstruments.TcpDetectionTag, detection);
        _connections.Add(1, in list);
        _active.Add(1, in tags);
    }

    internal void RecordClose(in TagList tags, string outcome, TimeSpan duration)
    {
        _active.Add(-1, in tags);
        var list = tags;
        list.Add(MeshInstruments.TcpOutcomeTag, outcome);
        _duration.Record(duration.TotalSeconds, in list);
        list.Add(MeshInstruments.TcpEventTag, "close");
        _connections.Add(1, in list);
    }

    internal void RecordBytes(in TagList directionTags, int bytes) => _bytes.Add(bytes, in directionTags);
}
