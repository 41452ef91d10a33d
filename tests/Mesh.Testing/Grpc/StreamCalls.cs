using Grpc.Core;
using Mesh.Testing.Grpc.Protos;

namespace Mesh.Testing.Grpc;

/// <summary>A server-streaming call of <see cref="EchoService"/> read to its end, as an application would.</summary>
public static class StreamCalls
{
    /// <summary>Reads every reply of a <c>Count</c> call; returns how many came and the status the call ended with.</summary>
    public static async Task<(int Replies, StatusCode Status)> CountAsync(Echo.EchoClient client, CountRequest request)
    {
        using var call = client.Count(request);
        var replies = 0;
        try
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
                replies++;
            }

            return (replies, StatusCode.OK);
        }
        catch (RpcException error)
        {
            return (replies, error.StatusCode);
        }
    }
}
