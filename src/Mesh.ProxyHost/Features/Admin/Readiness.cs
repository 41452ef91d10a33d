namespace Mesh.ProxyHost.Features.Admin;

/// <summary>
/// Ready once configuration is loaded and every listener is bound (the host has started); draining from the moment
/// shutdown begins, for <c>Mesh:Proxy:DrainDelay</c>, before listeners close and in-flight requests finish.
/// </summary>
internal sealed class Readiness(IHostApplicationLifetime lifetime, Configuration.ProxyOptions options, TimeProvider time) : IHostedLifecycleService
{
    private volatile bool _draining;

    public bool IsReady => lifetime.ApplicationStarted.IsCancellationRequested && !_draining;

    public bool IsDraining => _draining;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        if (options.DrainDelay > TimeSpan.Zero)
        {
            await Task.Delay(options.DrainDelay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
