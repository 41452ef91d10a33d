using System.Diagnostics.Tracing;

namespace Mesh.Benchmarks.Support;

/// <summary>
/// <c>dotnet Mesh.Benchmarks.dll alloc [Mesh|MeshManyPaths|Bare|Factory|Polly|FactoryPolly|StandardResilience|StandardResilienceManyPaths] [requests]</c>: what a client
/// allocates per request, by type. Sends the requests through <see cref="ClientHandlerBenchmark"/>'s clients (metrics on)
/// and samples the runtime's AllocationTick events (one per ~100 KB allocated, with the type of the object that crossed
/// the threshold), so the shares are statistical; bytes/request comes from <see cref="GC.GetAllocatedBytesForCurrentThread"/>.
/// </summary>
internal static class AllocationProfile
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (target, requests) = BenchmarkClient.Arguments(args, defaultCount: 2_000_000);
        var readsPerRequest = await ClockReadsPerRequestAsync(target);
        using var client = BenchmarkClient.Open(target);
        var send = client.Send;
        for (var i = 0; i < 50_000; i++)
        {
            await send();
        }

        using var listener = new AllocationListener();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < requests; i++)
        {
            await send();
        }

        var perRequest = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)requests;
        var wallNs = clock.Elapsed.TotalNanoseconds / requests;
        var cpuNs = (Environment.CpuUsage.TotalTime - cpuBefore).TotalNanoseconds / requests;
        listener.Dispose();
        var total = listener.Samples.Values.Sum();
        Console.WriteLine($"{target}: {perRequest:F0} B/request over {requests:N0} requests (this thread); {total} allocation samples; " +
            $"{readsPerRequest:F1} reads of the DI TimeProvider's clock per request; {wallNs:F0} ns/request elapsed, {cpuNs:F0} ns/request of process CPU " +
            "(one caller in a loop, allocation sampling on: for comparing clients in one sitting, not an absolute figure)");
        Console.WriteLine("share  ~B/req  type");
        foreach (var (type, count) in listener.Samples.OrderByDescending(p => p.Value).Take(25))
        {
            var share = count / (double)total;
            Console.WriteLine($"{share,5:P0}  {share * perRequest,6:F0}  {type}");
        }

        return 0;
    }

    // A separate pass: a TimeProvider other than TimeProvider.System changes what the timeouts allocate.
    private static async Task<double> ClockReadsPerRequestAsync(string target)
    {
        const int Requests = 10_000;
        var clock = new CountingTimeProvider();
        using var client = BenchmarkClient.Open(target, clock);
        var send = client.Send;
        var before = clock.Reads;
        for (var i = 0; i < Requests; i++)
        {
            await send();
        }

        return (clock.Reads - before) / (double)Requests;
    }

    /// <summary>The system clock, counting reads: on some virtual machines a read costs ~100 ns, so the count matters.</summary>
    private sealed class CountingTimeProvider : TimeProvider
    {
        private long _reads;

        public long Reads => Volatile.Read(ref _reads);

        public override long GetTimestamp()
        {
            Interlocked.Increment(ref _reads);
            return System.GetTimestamp();
        }
    }

    private sealed class AllocationListener : EventListener
    {
        private bool _ready;

        public Dictionary<string, long> Samples { get; } = [];

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick
                _ready = true;
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (!_ready || !e.EventName!.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null)
            {
                return;
            }

            var index = e.PayloadNames.IndexOf("TypeName");
            var type = index >= 0 ? e.Payload![index] as string ?? "?" : "?";
            lock (Samples)
            {
                Samples[type] = Samples.GetValueOrDefault(type) + 1;
            }
        }
    }
}
