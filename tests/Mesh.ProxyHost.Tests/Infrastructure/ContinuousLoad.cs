namespace Mesh.ProxyHost.Tests.Infrastructure;

/// <summary>Loops of GETs through the sidecar until stopped; every failure (status or exception) is kept.</summary>
internal sealed class ContinuousLoad : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _failures = new();
    private int _sent;

    public ContinuousLoad(Sidecar sidecar, int loops, Action<HttpRequestMessage>? prepare = null)
    {
        _loops = Enumerable.Range(0, loops).Select(_ => Task.Run(async () =>
        {
            using var client = sidecar.OutboundClient("orders");
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    // Not cancelled by the stop: a request in flight finishes and counts.
                    using var request = new HttpRequestMessage(HttpMethod.Get, "/work");
                    prepare?.Invoke(request);
                    using var response = await client.SendAsync(request, CancellationToken.None);
                    if (!response.IsSuccessStatusCode)
                    {
                        _failures.Enqueue($"{(int)response.StatusCode} {string.Join(",", response.Headers.Select(h => $"{h.Key}={string.Join(";", h.Value)}"))}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    _failures.Enqueue(ex.ToString());
                }

                Interlocked.Increment(ref _sent);
            }
        })).ToArray();
    }

    public async Task<(int Sent, IReadOnlyList<string> Failures)> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        return (Volatile.Read(ref _sent), _failures.ToList());
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    /// <summary>True when the others served another 100 requests and <paramref name="removed"/> none in the meantime.</summary>
    public static async Task<bool> NoNewRequestsWhileOthersServeAsync(TestBackend removed, params TestBackend[] others)
    {
        var before = removed.Requests;
        var othersBefore = others.Sum(o => o.Requests);
        await Eventually.TrueAsync(() => Task.FromResult(others.Sum(o => o.Requests) >= othersBefore + 100), "the others serve");
        return removed.Requests == before;
    }
}
