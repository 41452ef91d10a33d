using Mesh.Endpoints;
using Mesh.Telemetry;

namespace Mesh.Demo;

/// <summary>
/// The latest values of the <c>mesh.endpoints</c> gauge, per Mesh runtime (the in-process client's or the sidecar's,
/// each with its own view of the same endpoints), service and state. Thread-safe.
/// </summary>
internal sealed class EndpointStateGauge
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(bool Sidecar, string Service, string State), long> _values = [];

    public void Observe(bool sidecar, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (MeshTags.Find(tags, MeshInstruments.ServiceTag) is { } service
            && MeshTags.Find(tags, MeshInstruments.EndpointStateTag) is { } state)
        {
            lock (_gate)
            {
                _values[(sidecar, service, state)] = value;
            }
        }
    }

    /// <summary>The last counts observed by one runtime, added up over services (the demo has one).</summary>
    public EndpointStateCounts Read(bool sidecar)
    {
        long ready = 0, ejected = 0, probing = 0;
        lock (_gate)
        {
            foreach (var ((fromSidecar, _, state), value) in _values)
            {
                if (fromSidecar != sidecar)
                {
                    continue;
                }

                if (state == EndpointState.Ready.ToTagValue())
                {
                    ready += value;
                }
                else if (state == EndpointState.Ejected.ToTagValue())
                {
                    ejected += value;
                }
                else if (state == EndpointState.Probing.ToTagValue())
                {
                    probing += value;
                }
            }
        }

        return new(ready, ejected, probing);
    }
}
