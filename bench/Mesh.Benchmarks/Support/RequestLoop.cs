namespace Mesh.Benchmarks.Support;

/// <summary>
/// <c>dotnet Mesh.Benchmarks.dll loop [target] [seconds]</c>: one of <see cref="ClientHandlerBenchmark"/>'s clients
/// (metrics on) sending in a loop, printing elapsed and CPU time per request: a process for <c>perf record -p</c> to
/// attach to, or one side of an interleaved A/B of two builds.
/// </summary>
internal static class RequestLoop
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (target, seconds) = BenchmarkClient.Arguments(args, defaultCount: 30);
        using var client = BenchmarkClient.Open(target);
        var send = client.Send;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        long requests = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 1000; i++)
            {
                await send();
            }

            requests += 1000;
        }

        var cpuNs = (Environment.CpuUsage.TotalTime - cpuBefore).TotalNanoseconds / requests;
        Console.WriteLine($"{target}: {requests:N0} requests, {clock.Elapsed.TotalNanoseconds / requests:F0} ns/request elapsed, {cpuNs:F0} ns/request of process CPU");
        return 0;
    }
}
