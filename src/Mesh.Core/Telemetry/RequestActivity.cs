using System.Diagnostics;

namespace Mesh.Telemetry;

/// <summary>The <c>mesh.request</c> span of a logical request, continuing the caller's trace.</summary>
internal static class RequestActivity
{
    /// <summary>Starts the span when someone listens to the <c>Mesh</c> activity source; null otherwise.</summary>
    public static Activity? Start(string service, HttpRequestMessage request)
    {
        if (!MeshTelemetry.ActivitySource.HasListeners())
        {
            return null;
        }

        // Continue the caller's trace: the current activity when someone records it, or else the traceparent the
        // request carries (a sidecar forwarding an application's request). An activity nobody records (ASP.NET Core
        // makes one per request whenever its logging is on) would leave Mesh's spans hanging from a span never exported.
        var current = Activity.Current;
        ActivityContext parent;
        if (current is { Recorded: true })
        {
            parent = current.Context;
        }
        else
        {
            // Skip the unrecorded span: hang from the caller's span it continued, if any, or start a trace. (Current
            // is an async-local, so clearing it here does not reach the caller.)
            parent = TraceContext.FromHeaders(request.Headers)
                ?? (current is { HasRemoteParent: true } ? new ActivityContext(current.TraceId, current.ParentSpanId, current.ActivityTraceFlags, current.TraceStateString, isRemote: true) : default);
            Activity.Current = null;
        }

        var activity = MeshTelemetry.ActivitySource.StartActivity("mesh.request", ActivityKind.Client, parent);
        if (activity is not null)
        {
            activity.DisplayName = $"{request.Method.Method} {service}";
            activity.SetTag(MeshInstruments.ServiceTag, service);
            activity.SetTag(MeshInstruments.MethodTag, request.Method.Method);
            if (InboundPeer.Of(request) is { } peer)
            {
                activity.SetTag(MeshInstruments.TlsTag, peer.Tls);
                activity.SetTag(MeshInstruments.ClientIdTag, peer.ClientId);
            }
        }

        return activity;
    }
}
