using Mesh.Configuration;
using Mesh.Endpoints;
using Mesh.FailureAccrual;
using Mesh.LoadBalancing;
using Mesh.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using System.Diagnostics.Metrics;

namespace Mesh.Core.Tests.FailureAccrual;

// The ejection penalty's arithmetic: base x 2^ejections, jittered within ±20%, capped; written against the survivors
// of the first mutation run (tests/mutation/RESULTS.md).
public sealed class EjectionPenaltyTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly FailureAccrualOptions _options = new() { BaseEjectionTime = TimeSpan.FromSeconds(1), MaxEjectionTime = TimeSpan.FromSeconds(60) };
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeshTelemetry _telemetry;

    public EjectionPenaltyTests() => _telemetry = new MeshTelemetry(_services.GetRequiredService<IMeterFactory>());

    public void Dispose()
    {
        _telemetry.Dispose();
        _services.Dispose();
    }

    private FailureAccrualMechanism Mechanism(double random)
    {
        var endpoints = new ServiceEndpoints(address => new MeshEndpoint(
            address,
            new PeakEwma(_time, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(100)),
            new EndpointHealth(new ConsecutiveFailuresOrSuccessRatePolicy(_options, _time))));
        return new FailureAccrualMechanism("orders", endpoints, _options, _time, () => random, _telemetry, NullLogger.Instance);
    }

    [Theory]
    [InlineData(0, 0.0, 800)]
    [InlineData(0, 0.5, 1000)]
    [InlineData(0, 1.0, 1200)]
    [InlineData(3, 0.5, 8000)]
    [InlineData(3, 0.0, 6400)]
    public void Penalty_DoublesPerEjection_WithinTwentyPercentJitter(int previousEjections, double random, double expectedMs) =>
        Assert.Equal(expectedMs, Mechanism(random).Penalty(previousEjections).TotalMilliseconds, 6);

    [Theory]
    [InlineData(6)]
    [InlineData(40)]
    [InlineData(int.MaxValue)]
    public void Penalty_NeverExceedsTheMaximum(int previousEjections) =>
        Assert.Equal(TimeSpan.FromSeconds(60), Mechanism(1.0).Penalty(previousEjections));
}
