using System.Diagnostics;
using Mesh.Stats;
using Mesh.Tap;
using Mesh.Telemetry;

namespace Mesh.ProxyHost.Features.Tcp;

/// <summary>
/// What is recorded of one opaque TCP connection, from open to close: the metrics (tags built once), the destination's
/// rolling figures, the bytes each way, and the tap event it ends with.
/// </summary>
internal sealed class TcpConnectionRecord
{
    private readonly TcpMetrics _metrics;
    private readonly TcpStats _stats;
    private readonly TagList _tags;
    private readonly TagList _transmitTags;
    private readonly TagList _receiveTags;
    private readonly long _started;
    private long _transmitted;
    private long _received;

    public TcpConnectionRecord(TcpMetrics metrics, MeshTap tap, string direction, string service, string destination, string detection)
    {
        _metrics = metrics;
        Tap = tap;
        Direction = direction;
        Service = service;
        Destination = destination;
        Detection = detection;
        _stats = metrics.Stats.For(direction, service);
        _tags = new TagList { { MeshInstruments.DirectionTag, direction }, { MeshInstruments.ServiceTag, service } };
        _transmitTags = _tags;
        _transmitTags.Add(MeshInstruments.NetworkIoDirectionTag, "transmit");
        _receiveTags = _tags;
        _receiveTags.Add(MeshInstruments.NetworkIoDirectionTag, "receive");
        _started = metrics.Time.GetTimestamp();
        metrics.RecordOpen(in _tags, detection);
        _stats.Opened();
    }

    public MeshTap Tap { get; }

    public string Direction { get; }

    public string Service { get; }

    /// <summary>Gets the address dialled (<c>ip:port</c>), or the service a CONNECT named.</summary>
    public string Destination { get; }

    public string Detection { get; }

    /// <summary>Gets or sets the endpoint connected to, once there is one.</summary>
    public string? Endpoint { get; set; }

    public long Transmitted => Volatile.Read(ref _transmitted);

    public long Received => Volatile.Read(ref _received);

    /// <summary>Counts bytes sent towards the destination (one writer: the client-to-destination pump).</summary>
    public void AddTransmitted(int bytes)
    {
        Volatile.Write(ref _transmitted, _transmitted + bytes);
        _metrics.RecordBytes(in _transmitTags, bytes);
        _stats.Transmitted(bytes);
    }

    /// <summary>Counts bytes received from the destination (one writer: the destination-to-client pump).</summary>
    public void AddReceived(int bytes)
    {
        Volatile.Write(ref _received, _received + bytes);
        _metrics.RecordBytes(in _receiveTags, bytes);
        _stats.Received(bytes);
    }

    /// <summary>Ends the record: the close is counted with <paramref name="outcome"/>, and the tap shows the connection.</summary>
    public void Close(string outcome)
    {
        var duration = _metrics.Time.GetElapsedTime(_started);
        _metrics.RecordClose(in _tags, outcome, duration);
        _stats.Closed(failed: outcome != TcpOutcome.Closed);
        if (Tap.IsActive)
        {
            Tap.Publish(TapEvent.ForTcp(_metrics.Time.GetUtcNow(), this.Direction, Service, Destination, duration.TotalMilliseconds, outcome, Endpoint, new TapTcp(Transmitted, Received, outcome, Detection)));
        }
    }
}
