using Google.Protobuf;
using Grpc.Core;
using Mesh.Testing.Grpc.Protos;
using Microsoft.AspNetCore.Http;

namespace Mesh.Testing.Grpc;

/// <summary>
/// The gRPC service behind <see cref="GrpcBackend"/>. Every call ends with the trailer <c>x-backend-trailer: kept</c>;
/// a unary reply tells what the backend saw (protocol, <c>grpc-timeout</c>, deadline).
/// </summary>
public sealed class EchoService(GrpcBackend backend) : Protos.Echo.EchoBase
{
    public const string TrailerName = "x-backend-trailer";
    public const string TrailerValue = "kept";
    public const string FailureDetail = "asked to fail";

    public override async Task<EchoReply> Echo(EchoRequest request, ServerCallContext context)
    {
        var remaining = context.Deadline == DateTime.MaxValue ? TimeSpan.Zero : context.Deadline - DateTime.UtcNow;
        backend.RecordCall();
        context.ResponseTrailers.Add(TrailerName, TrailerValue);
        if (request.DelayMs > 0)
        {
            try
            {
                await Task.Delay(request.DelayMs, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                backend.CallCancelled.TrySetResult();
                throw;
            }
        }

        if (backend.FailWith is { } status)
        {
            // Headers first, unless asked otherwise: the status then comes in trailers, not in a trailers-only response.
            if (!backend.FailTrailersOnly)
            {
                await context.WriteResponseHeadersAsync([]);
            }

            throw new RpcException(new Status(status, FailureDetail));
        }

        if (request.FailWith != 0)
        {
            throw new RpcException(new Status((StatusCode)request.FailWith, FailureDetail));
        }

        var http = context.GetHttpContext();
        return new EchoReply
        {
            Text = request.Text,
            Protocol = http.Request.Protocol,
            GrpcTimeout = http.Request.Headers["grpc-timeout"].ToString(),
            DeadlineUtcTicks = context.Deadline == DateTime.MaxValue ? 0 : context.Deadline.ToUniversalTime().Ticks,
            RemainingTicks = remaining.Ticks,
        };
    }

    public override async Task Count(CountRequest request, IServerStreamWriter<CountReply> responseStream, ServerCallContext context)
    {
        backend.RecordCall();
        var payload = ByteString.CopyFrom(new byte[request.PayloadBytes]);
        for (var i = 1; i <= request.Count; i++)
        {
            if (request.IntervalMs > 0)
            {
                await Task.Delay(request.IntervalMs, context.CancellationToken);
            }

            await responseStream.WriteAsync(new CountReply { Number = i, Payload = payload }, context.CancellationToken);
            if (request.HoldAfterFirst)
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
        }

        context.ResponseTrailers.Add(TrailerName, TrailerValue);
        var status = backend.FailWith ?? (StatusCode)request.FailWith;
        if (status != StatusCode.OK)
        {
            throw new RpcException(new Status(status, FailureDetail));
        }
    }
}
