using System.Diagnostics;
using System.Net.Http.Headers;

namespace Mesh.Telemetry;

/// <summary>W3C trace context (<c>traceparent</c>, <c>tracestate</c>) read from and written to request headers.</summary>
internal static class TraceContext
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    public static ActivityContext? FromHeaders(HttpRequestHeaders headers)
    {
        if (!headers.NonValidated.TryGetValues(TraceParent, out var parent))
        {
            return null;
        }

        string? state = headers.NonValidated.TryGetValues(TraceState, out var s) ? s.ToString() : null;
        return ActivityContext.TryParse(parent.ToString(), state, isRemote: true, out var context) ? context : null;
    }

    /// <summary>Gets the trace id of a <c>traceparent</c> the request carries, without parsing the rest.</summary>
    public static string? TraceIdOf(HttpRequestHeaders headers) =>
        FromHeaders(headers) is { } context ? context.TraceId.ToHexString() : null;

    public static void Inject(Activity activity, HttpRequestHeaders headers)
    {
        headers.Remove(TraceParent);
        headers.TryAddWithoutValidation(TraceParent, activity.Id);
        headers.Remove(TraceState);
        if (activity.TraceStateString is { Length: > 0 } state)
        {
            headers.TryAddWithoutValidation(TraceState, state);
        }
    }
}
