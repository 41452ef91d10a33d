using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace Mesh.Client.Tests.Infrastructure;

/// <summary>Collects every ended span into a thread-safe queue (OpenTelemetry's in-memory exporter adds to a List).</summary>
internal sealed class CollectingProcessor(ConcurrentQueue<Activity> spans) : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data) => spans.Enqueue(data);
}
