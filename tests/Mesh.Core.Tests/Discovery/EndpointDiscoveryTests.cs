using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Net;
using Mesh.Configuration;
using Mesh.Discovery;
using Mesh.Endpoints;
using Mesh.FailureAccrual;
using Mesh.LoadBalancing;
using Mesh.Telemetry;
using Mesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.ServiceDiscovery;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Core.Tests.Discovery;

/// <summary>
/// <see cref="EndpointDiscovery"/> over a real Microsoft.Extensions.ServiceDiscovery resolver whose one provider is
/// scripted: it answers, fails or answers nothing on demand and counts its calls. Discovery's own clock is fake and
/// records the delay of every wait discovery begins, so the backoff is read exactly, and advanced just short of and
/// just past each delay.
/// </summary>
public sealed class EndpointDiscoveryTests : IAsyncDisposable
{
    private static readonly TimeSpan RefreshPeriod = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);
    private static readonly Uri Good = new("http://127.0.0.1:7001");

    private readonly RecordingTimeProvider _time = new();
    private readonly ScriptedProvider _provider = new();
    private readonly ServiceProvider _services;
    private readonly MeshTelemetry _telemetry;
    private readonly MetricCollector<long> _errors;
    private readonly ServiceEndpoints _endpoints;
    private readonly EndpointDiscovery _discovery;

    public EndpointDiscoveryTests()
    {
        _services = new ServiceCollection()
            .AddMetrics()
            .AddServiceDiscoveryCore()
            .AddSingleton<IServiceEndpointProviderFactory>(_provider)
            // The resolver's own clock (its polling and clean-up timers) never moves: every resolution is discovery's.
            .AddSingleton<TimeProvider>(new FakeTimeProvider())
            .BuildServiceProvider();
        var meters = _services.GetRequiredService<IMeterFactory>();
        _telemetry = new MeshTelemetry(meters);
        _errors = new MetricCollector<long>(meters, MeshInstruments.Name, MeshInstruments.DiscoveryErrors);
        _endpoints = new ServiceEndpoints(address => new MeshEndpoint(
            address, new PeakEwma(_time, TimeSpan.FromSeconds(10), TimeSpan.Zero, TimeSpan.Zero), new EndpointHealth(new ConsecutiveFailuresOrSuccessRatePolicy(new FailureAccrualOptions(), _time))));
        _discovery = new EndpointDiscovery("orders", _services.GetRequiredService<ServiceEndpointResolver>(), _endpoints, _telemetry, _time, RefreshPeriod, NullLogger.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _discovery.DisposeAsync();
        _errors.Dispose();
        _telemetry.Dispose();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task FailingOrEmptyResolution_RepollsWithDoublingBackoffUpTo30s_KeepsTheLastGoodEndpoints_AndResetsAfterASuccess()
    {
        _discovery.Start();
        await Eventually.TrueAsync(() => Task.FromResult(_time.Waits.Count == 1), "the first resolution is published and discovery waits");
        Assert.Equal(RefreshPeriod, _time.Waits[0]);
        var lastGood = _endpoints.Current;
        Assert.Equal([Good], Addresses(lastGood));

        // The resolver's watcher may resolve once on its own when it is created: count from here.
        var calls = _provider.Calls;

        // Discovery fails: the refresh period ends, the resolution fails, and retries back off 0.5 s, 1 s, 2 s, ... 30 s.
        _provider.Mode = Answer.Fail;
        await AdvanceToNextResolutionAsync(RefreshPeriod, ++calls);
        string[] expectedReasons = ["error"];
        AssertErrors(expectedReasons);
        Assert.Same(lastGood, _endpoints.Current);

        foreach (var backoff in new[] { 0.5, 1, 2, 4, 8, 16, 30, 30 })
        {
            var delay = TimeSpan.FromSeconds(backoff);
            Assert.Equal(delay, _time.Waits[^1]);

            // Just short of the delay: no resolution, no new wait.
            var waits = _time.Waits.Count;
            _time.Advance(delay - Tick);
            Assert.Equal(calls, _provider.Calls);
            Assert.Equal(waits, _time.Waits.Count);

            // Just past it: exactly one more resolution, which fails too; the last good endpoints stay.
            await AdvanceToNextResolutionAsync(Tick, ++calls);
            expectedReasons = [.. expectedReasons, "error"];
            AssertErrors(expectedReasons);
            Assert.Same(lastGood, _endpoints.Current);
        }

        // Discovery recovers: the next retry succeeds, and discovery goes back to waiting the refresh period.
        Assert.Equal(TimeSpan.FromSeconds(30), _time.Waits[^1]);
        _provider.Mode = Answer.Endpoints;
        await AdvanceToNextResolutionAsync(TimeSpan.FromSeconds(30), ++calls);
        Assert.Equal(RefreshPeriod, _time.Waits[^1]);
        AssertErrors(expectedReasons);
        lastGood = _endpoints.Current;
        Assert.Equal([Good], Addresses(lastGood));

        // An empty answer after that is backed off from 0.5 s again, not from 30 s.
        _provider.Mode = Answer.Nothing;
        await AdvanceToNextResolutionAsync(RefreshPeriod, ++calls);
        expectedReasons = [.. expectedReasons, "empty"];
        AssertErrors(expectedReasons);
        foreach (var backoff in new[] { 0.5, 1 })
        {
            var delay = TimeSpan.FromSeconds(backoff);
            Assert.Equal(delay, _time.Waits[^1]);
            _time.Advance(delay - Tick);
            Assert.Equal(calls, _provider.Calls);
            await AdvanceToNextResolutionAsync(Tick, ++calls);
            expectedReasons = [.. expectedReasons, "empty"];
            AssertErrors(expectedReasons);
            Assert.Same(lastGood, _endpoints.Current);
        }

        Assert.Equal(TimeSpan.FromSeconds(2), _time.Waits[^1]);
    }

    // Advances the clock by `by`, which ends discovery's current wait, and waits until discovery has resolved (the
    // `calls`-th resolution) and begun its next wait.
    private async Task AdvanceToNextResolutionAsync(TimeSpan by, int calls)
    {
        var waits = _time.Waits.Count;
        _time.Advance(by);
        await Eventually.TrueAsync(() => Task.FromResult(_time.Waits.Count == waits + 1), $"discovery resolves (call {calls}) and waits again");
        Assert.Equal(calls, _provider.Calls);
    }

    private void AssertErrors(string[] reasons)
    {
        var errors = _errors.GetMeasurementSnapshot();
        Assert.Equal(reasons, errors.Select(e => (string)e.Tags[MeshInstruments.DiscoveryReasonTag]!));
        Assert.All(errors, e => Assert.Equal(1, e.Value));
        Assert.All(errors, e => Assert.Equal("orders", e.Tags[MeshInstruments.ServiceTag]));
    }

    private static Uri[] Addresses(EndpointSet set) => [.. set.All.Select(e => e.Address)];

    private enum Answer
    {
        Endpoints,
        Fail,
        Nothing,
    }

    /// <summary>A fake clock that records the delay of every timer created on it: each is one wait of discovery's loop.</summary>
    private sealed class RecordingTimeProvider : FakeTimeProvider
    {
        private readonly ConcurrentQueue<TimeSpan> _waits = new();

        public IReadOnlyList<TimeSpan> Waits => [.. _waits];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _waits.Enqueue(dueTime);
            return timer;
        }
    }

    /// <summary>The one endpoint provider, for every service: answers as <see cref="Mode"/> says, counting its calls.</summary>
    private sealed class ScriptedProvider : IServiceEndpointProviderFactory, IServiceEndpointProvider
    {
        private int _calls;
        private volatile Answer _mode = Answer.Endpoints;

        public int Calls => Volatile.Read(ref _calls);

        public Answer Mode { get => _mode; set => _mode = value; }

        public bool TryCreateProvider(ServiceEndpointQuery query, [NotNullWhen(true)] out IServiceEndpointProvider? provider)
        {
            provider = this;
            return true;
        }

        public ValueTask PopulateAsync(IServiceEndpointBuilder endpoints, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            if (_mode == Answer.Fail)
            {
                throw new InvalidOperationException("scripted discovery failure");
            }

            if (_mode == Answer.Endpoints)
            {
                endpoints.Endpoints.Add(ServiceEndpoint.Create(new IPEndPoint(IPAddress.Loopback, Good.Port)));
            }

            // Stale at once and never signalled: the resolver serves nothing from its cache, and only discovery's own
            // timer (not a change callback) starts the next resolution.
            endpoints.AddChangeToken(AlwaysChanged.Instance);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class AlwaysChanged : IChangeToken, IDisposable
    {
        public static readonly AlwaysChanged Instance = new();

        public bool HasChanged => true;

        public bool ActiveChangeCallbacks => false;

        public IDisposable RegisterChangeCallback(Action<object?> callback, object? state) => this;

        public void Dispose()
        {
        }
    }
}
