using Mesh.Endpoints;
using Mesh.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.ServiceDiscovery;

namespace Mesh.Discovery;

/// <summary>
/// Keeps one service's <see cref="ServiceEndpoints"/> in step with Microsoft.Extensions.ServiceDiscovery:
/// resolves, publishes, then waits for the source's change token (configuration reload, DNS TTL) or the
/// refresh period. When a refresh fails or returns no endpoints, the last good set stays in use, and a
/// log line and the <c>mesh.discovery.errors</c> counter say so; refreshes are then retried with backoff.
/// </summary>
internal sealed partial class EndpointDiscovery : IAsyncDisposable
{
    private static readonly TimeSpan MinRetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly string _service;
    private readonly ServiceEndpointResolver _resolver;
    private readonly ServiceEndpoints _endpoints;
    private readonly MeshTelemetry _telemetry;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshPeriod;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public EndpointDiscovery(string service, ServiceEndpointResolver resolver, ServiceEndpoints endpoints, MeshTelemetry telemetry, TimeProvider time, TimeSpan refreshPeriod, ILogger logger)
    {
        _service = service;
        _resolver = resolver;
        _endpoints = endpoints;
        _telemetry = telemetry;
        _time = time;
        _refreshPeriod = refreshPeriod;
        _logger = logger;
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stopping.Token));

    private async Task RunAsync(CancellationToken stopping)
    {
        var retryDelay = MinRetryDelay;
        while (!stopping.IsCancellationRequested)
        {
            IChangeToken? changed = null;
            var wait = _refreshPeriod;
            try
            {
                var source = await _resolver.GetEndpointsAsync($"https+http://{_service}", stopping).ConfigureAwait(false);
                changed = source.ChangeToken;
                if (Publish(source))
                {
                    retryDelay = MinRetryDelay;
                }
                else
                {
                    wait = NextRetry(ref retryDelay);
                }
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                KeepLastGood("error");
                Log.ResolutionFailed(_logger, ex, _service, _endpoints.Current.Count);
                wait = NextRetry(ref retryDelay);
            }

            _endpoints.MarkResolved();
            await WaitForChangeAsync(changed, wait, stopping).ConfigureAwait(false);
        }
    }

    private bool Publish(ServiceEndpointSource source)
    {
        var addresses = new List<Uri>(source.Endpoints.Count);
        foreach (var endpoint in source.Endpoints)
        {
            if (EndpointAddress.From(endpoint) is { } address && !addresses.Contains(address))
            {
                addresses.Add(address);
            }
        }

        if (addresses.Count == 0)
        {
            KeepLastGood("empty");
            Log.ResolvedNothing(_logger, _service, _endpoints.Current.Count);
            return false;
        }

        var before = _endpoints.Current.Count;
        _endpoints.Publish(addresses);
        Log.Resolved(_logger, _service, addresses.Count, before);
        return true;
    }

    private void KeepLastGood(string reason) => _telemetry.RecordDiscoveryError(_service, reason);

    private static TimeSpan NextRetry(ref TimeSpan delay)
    {
        var current = delay;
        delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        return current;
    }

    private async Task WaitForChangeAsync(IChangeToken? changed, TimeSpan timeout, CancellationToken stopping)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var registration = changed?.RegisterChangeCallback(static s => ((CancellationTokenSource)s!).Cancel(), wake);
        try
        {
            await Task.Delay(timeout, _time, wake.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Changed, or stopping: either way the loop decides.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Service '{Service}': {Count} endpoints (was {Before}).")]
        public static partial void Resolved(ILogger logger, string service, int count, int before);

        [LoggerMessage(2, LogLevel.Warning, "Service '{Service}': discovery returned no endpoints; keeping the last good set of {Kept}.")]
        public static partial void ResolvedNothing(ILogger logger, string service, int kept);

        [LoggerMessage(3, LogLevel.Warning, "Service '{Service}': discovery failed; keeping the last good set of {Kept} and retrying.")]
        public static partial void ResolutionFailed(ILogger logger, Exception exception, string service, int kept);
    }
}
