using System.Globalization;

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
        var target = args.Length > 1 ? args[1] : "Mesh";
        var seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 30;
        var bench = new ClientHandlerBenchmark { Metrics = true };
        bench.Setup();
        var send = AllocationProfile.SendOf(bench, target);
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
        bench.Cleanup();
        return 0;
    }
}
