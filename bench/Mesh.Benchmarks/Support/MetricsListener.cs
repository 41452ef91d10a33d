using System.Diagnostics.Metrics;

namespace Mesh.Benchmarks.Support;

/// <summary>
/// "Metrics on": a <see cref="MeterListener"/> that enables every instrument of the named meters and counts the
/// measurements it receives, standing in for an exporter (an OpenTelemetry SDK would add its own aggregation cost on top,
/// the same for every contender).
/// </summary>
internal sealed class MetricsListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _measurements;

    public MetricsListener(params string[] meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (Array.IndexOf(meters, instrument.Meter.Name) >= 0)
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, _, _, state) => ((MetricsListener)state!)._measurements++);
        _listener.SetMeasurementEventCallback<int>(static (_, _, _, state) => ((MetricsListener)state!)._measurements++);
        _listener.SetMeasurementEventCallback<double>(static (_, _, _, state) => ((MetricsListener)state!)._measurements++);
        _listener.Start();
    }

    /// <summary>Gets the measurements received so far; a benchmark checks it grew, so "on" really is on.</summary>
    public long Measurements => _measurements;

    public void Dispose() => _listener.Dispose();
}
