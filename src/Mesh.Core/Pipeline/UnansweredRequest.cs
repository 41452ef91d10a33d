using Mesh.Classification;
using Mesh.Telemetry;
using Polly;

namespace Mesh.Pipeline;

/// <summary>
/// A request that failed without a response, whose caller answers the failure itself (the sidecar: a 502
/// <c>connect-error</c>, a 503 <c>no-endpoints</c> or <c>overloaded</c>, a 504, or a gRPC status): step 1 records it
/// when that answer is known, with the status the caller was given, so the metrics and the tap show what the caller saw
/// rather than no status at all. It rides on the exception that ends the request.
/// </summary>
internal sealed class UnansweredRequest(MeshService service, MeshRequest request, Outcome<HttpResponseMessage> outcome, ResponseClassification verdict, long ended, ExchangeBytes? bytes)
{
    private const string Key = "Mesh.Unanswered";

    private int _answered;

    /// <summary>Attaches the record to the exception the request fails with.</summary>
    public void AttachTo(Exception exception) => exception.Data[Key] = this;

    /// <summary>
    /// Records the request that <paramref name="exception"/> (or one it carries) ended, answered with
    /// <paramref name="status"/> (0: no answer reached the caller) and, for a gRPC caller, <paramref name="grpcStatus"/>
    /// (-1: none). Once; nothing when the exception carries no such request.
    /// </summary>
    public static void Answer(Exception? exception, int status, int grpcStatus = -1) => Of(exception)?.Answer(status, grpcStatus);

    private void Answer(int status, int grpcStatus)
    {
        if (Interlocked.Exchange(ref _answered, 1) == 0)
        {
            MeshPipeline.Complete(service, request, outcome, verdict, ended, status, grpcStatus, bytes);
            request.Activity?.Dispose();
            MeshPipeline.Return(request.Policy, request);
        }
    }

    // The forwarder may wrap the pipeline's exception with one of its own (a request body that failed too).
    private static UnansweredRequest? Of(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 4; depth++)
        {
            if (exception.Data[Key] is UnansweredRequest unanswered)
            {
                return unanswered;
            }

            if (exception is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (inner.Data[Key] is UnansweredRequest found)
                    {
                        return found;
                    }
                }
            }

            exception = exception.InnerException;
        }

        return null;
    }
}
