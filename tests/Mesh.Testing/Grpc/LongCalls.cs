using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Testing.Grpc.Protos;

namespace Mesh.Testing.Grpc;

/// <summary>
/// The long calls issue 14 names, against <see cref="EchoService"/>: a 12 s unary call with a 20 s deadline and a 40 s
/// server stream (a message a second) with a 60 s deadline, both longer than Mesh's default per-try timeout (10 s), the
/// stream longer than its default total (30 s). Under the default policy, both must succeed.
/// </summary>
public static class LongCalls
{
    public static async Task TwelveSecondUnaryAsync(GrpcChannel channel)
    {
        var reply = await new Echo.EchoClient(channel).EchoAsync(new EchoRequest { Text = "slow", DelayMs = 12_000 }, deadline: DateTime.UtcNow.AddSeconds(20));
        Assert.Equal("slow", reply.Text);
    }

    public static async Task FortySecondStreamAsync(GrpcChannel channel)
    {
        using var call = new Echo.EchoClient(channel).Count(new CountRequest { Count = 40, IntervalMs = 1_000 }, deadline: DateTime.UtcNow.AddSeconds(60));
        var numbers = new List<int>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            numbers.Add(message.Number);
        }

        Assert.Equal(Enumerable.Range(1, 40), numbers);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }
}
