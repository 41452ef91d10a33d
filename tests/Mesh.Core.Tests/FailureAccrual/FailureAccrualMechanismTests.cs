using Mesh.Classification;
using Mesh.Configuration;
using Mesh.Endpoints;
using Mesh.FailureAccrual;
using Mesh.LoadBalancing;
using Mesh.Telemetry;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using System.Diagnostics.Metrics;

namespace Mesh.Core.Tests.FailureAccrual;

public sealed class FailureAccrualMechanismTests : IDisposable
{
    private static readonly ResponseClassification Failure = new(true, true, "status_503");
    private static readonly ResponseClassification Success = ResponseClassification.Success;

    private readonly FakeTimeProvider _time = new();
    private readonly FailureAccrualOptions _options = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeshTelemetry _telemetry;
    private readonly ServiceEndpoints _endpoints;
    private readonly FailureAccrualMechanism _accrual;

    public FailureAccrualMechanismTests()
    {
        _telemetry = new MeshTelemetry(_services.GetRequiredService<IMeterFactory>());
        _endpoints = new ServiceEndpoints(address => new MeshEndpoint(
            address,
            new PeakEwma(_time, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(100)),
            new EndpointHealth(new ConsecutiveFailuresOrSuccessRatePolicy(_options, _time))));
        _accrual = new FailureAccrualMechanism("orders", _endpoints, _options, _time, () => 0.5, _telemetry, NullLogger.Instance);
    }

    public void Dispose()
    {
        _telemetry.Dispose();
        _services.Dispose();
    }

    private MeshEndpoint[] Publish(int count)
    {
        _endpoints.Publish(Enumerable.Range(0, count).Select(i => new Uri($"http://127.0.0.1:{7000 + i}")).ToList());
        return _endpoints.Current.All.ToArray();
    }

    private void Record(MeshEndpoint endpoint, ResponseClassification outcome, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            _accrual.Record(endpoint, outcome, isProbe: false, _time.GetTimestamp());
        }
    }

    [Fact]
    public void FiveConsecutiveFailures_EjectTheEndpoint()
    {
        var endpoints = Publish(3);
        using var ejections = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), "Mesh", "mesh.endpoint.ejections");

        Record(endpoints[0], Failure, 4);
        Assert.Equal(EndpointState.Ready, endpoints[0].State);
        Record(endpoints[0], Failure);

        Assert.Equal(EndpointState.Ejected, endpoints[0].State);
        Assert.DoesNotContain(endpoints[0], _endpoints.Current.Available);
        var ejection = Assert.Single(ejections.GetMeasurementSnapshot());
        Assert.Equal("consecutive_failures", ejection.Tags["mesh.ejection.reason"]);
    }

    [Fact]
    public void ASuccessInBetween_ResetsTheConsecutiveCount()
    {
        var endpoints = Publish(3);
        Record(endpoints[0], Failure, 4);
        Record(endpoints[0], Success);
        Record(endpoints[0], Failure, 4);
        Assert.Equal(EndpointState.Ready, endpoints[0].State);
    }

    [Fact]
    public void SuccessRateBelowMinimum_WithEnoughRequests_EjectsTheEndpoint()
    {
        var endpoints = Publish(3);

        // Alternating failure and success: never 5 in a row, 50% success.
        for (var i = 0; i < 4; i++)
        {
            Record(endpoints[1], Failure);
            Record(endpoints[1], Success);
        }

        Assert.Equal(EndpointState.Ready, endpoints[1].State); // 8 requests: below the minimum of 10
        Record(endpoints[1], Success);
        Record(endpoints[1], Failure);
        Assert.Equal(EndpointState.Ejected, endpoints[1].State);
        Assert.Equal(EjectionReasons.SuccessRate, endpoints[1].Health.EjectionReason);
    }

    [Fact]
    public void NeverMoreThanHalfTheEndpoints_AreEjected()
    {
        var endpoints = Publish(4);
        foreach (var endpoint in endpoints)
        {
            Record(endpoint, Failure, 5);
        }

        Assert.Equal(2, endpoints.Count(e => e.State == EndpointState.Ejected));
        Assert.Equal(2, _endpoints.Current.Available.Count);
    }

    [Fact]
    public void ASingleEndpoint_IsNeverEjected()
    {
        var endpoints = Publish(1);
        Record(endpoints[0], Failure, 50);
        Assert.Equal(EndpointState.Ready, endpoints[0].State);
    }

    [Fact]
    public void AfterThePenalty_ExactlyOneProbe_IsAdmitted_EvenUnderConcurrency()
    {
        var endpoints = Publish(3);
        Record(endpoints[0], Failure, 5);
        Assert.Null(_accrual.TryClaimProbe(_endpoints.Current, _time.GetTimestamp()));

        // Jitter is fixed at 0.5 here: penalty = 1 s exactly.
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Null(_accrual.TryClaimProbe(_endpoints.Current, _time.GetTimestamp()));
        _time.Advance(TimeSpan.FromMilliseconds(1));

        var probes = 0;
        Parallel.For(0, 100, _ =>
        {
            if (_accrual.TryClaimProbe(_endpoints.Current, _time.GetTimestamp()) is not null)
            {
                Interlocked.Increment(ref probes);
            }
        });
        Assert.Equal(1, probes);
        Assert.Equal(EndpointState.Probing, endpoints[0].State);
    }

    [Fact]
    public void SuccessfulProbe_ReturnsTheEndpointToService()
    {
        var endpoints = Publish(3);
        Record(endpoints[0], Failure, 5);
        _time.Advance(TimeSpan.FromSeconds(1));
        var probe = _accrual.TryClaimProbe(_endpoints.Current, _time.GetTimestamp());
        Assert.Same(endpoints[0], probe);

        _accrual.Record(probe!, Success, isProbe: true, _time.GetTimestamp());

        Assert.Equal(EndpointState.Ready, endpoints[0].State);
        Assert.Contains(endpoints[0], _endpoints.Current.Available);
        Assert.Equal(0, endpoints[0].Health.Ejections);
    }

    [Fact]
    public void FailedProbe_EjectsAgain_WithADoubledPenalty()
    {
        var endpoints = Publish(3);
        Record(endpoints[0], Failure, 5);
        _time.Advance(TimeSpan.FromSeconds(1));
        _accrual.Record(_accrual.TryClaimProbe(_endpoints.Current, _time.GetTimestamp())!, Failure, isProbe: true, _time.GetTimestamp());

        Assert.Equal(EndpointState.Ejected, endpoints[0].State);
        Assert.Equal(EjectionReasons.ProbeFailed, endpoints[0].Health.EjectionReason);
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Null(_accrual.TryClaimProbe(_endpoints.Current, _time.GetTimestamp()));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Same(endpoints[0], _accrual.TryClaimProbe(_endpoints.Current, _time.GetTimestamp()));
    }

    [Fact]
    public void CancelledProbe_LetsTheNextRequestProbe()
    {
        var endpoints = Publish(3);
        Record(endpoints[0], Failure, 5);
        _time.Advance(TimeSpan.FromSeconds(1));
        var probe = _accrual.TryClaimProbe(_endpoints.Current, _time.GetTimestamp())!;
        _accrual.Record(probe, new ResponseClassification(true, false, FailureReasons.Cancelled), isProbe: true, _time.GetTimestamp());
        Assert.Same(endpoints[0], _accrual.TryClaimProbe(_endpoints.Current, _time.GetTimestamp()));
    }

    [Fact]
    public void ProbeAnsweredWithBackpressure_EndsWithoutAVerdict_AndTheNextProbeWaitsForTheNamedTime()
    {
        var endpoints = Publish(3);
        Record(endpoints[0], Failure, 5);
        _time.Advance(TimeSpan.FromSeconds(1));
        var probe = _accrual.TryClaimProbe(_endpoints.Current, _time.GetTimestamp())!;
        var until = _time.GetTimestamp() + (2 * _time.TimestampFrequency);
        probe.MarkLoaded(until, "status_429");

        _accrual.RecordBackpressure(probe, isProbe: true, until);

        // Neither revived nor ejected again: no verdict, and no probe before the two seconds it asked for are over.
        Assert.Equal(EndpointState.Ejected, endpoints[0].State);
        Assert.Equal(1, endpoints[0].Health.Ejections);
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Null(_accrual.TryClaimProbe(_endpoints.Current, _time.GetTimestamp()));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Same(endpoints[0], _accrual.TryClaimProbe(_endpoints.Current, _time.GetTimestamp()));
    }

    [Fact]
    public void EjectedEndpointStillLoaded_IsNotProbed_UntilItsLoadedTimeIsOver()
    {
        var endpoints = Publish(3);
        endpoints[0].MarkLoaded(_time.GetTimestamp() + (3 * _time.TimestampFrequency), "status_503");
        Record(endpoints[0], Failure, 5);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(_accrual.TryClaimProbe(_endpoints.Current, _time.GetTimestamp()));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Same(endpoints[0], _accrual.TryClaimProbe(_endpoints.Current, _time.GetTimestamp()));
    }

    [Fact]
    public void StragglersFromBeforeTheEjection_DoNotChangeItsState()
    {
        var endpoints = Publish(3);
        Record(endpoints[0], Failure, 5);
        Record(endpoints[0], Success, 3);
        Assert.Equal(EndpointState.Ejected, endpoints[0].State);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(5, 32)]
    [InlineData(6, 60)]
    [InlineData(1000, 60)]
    public void Penalty_DoublesPerEjectionInARow_UpToTheMaximum(int previous, double seconds)
    {
        Assert.Equal(seconds, _accrual.Penalty(previous).TotalSeconds, 6);
    }

    [Fact]
    public void Penalty_IsJitteredByAtMostTwentyPercent()
    {
        var low = new FailureAccrualMechanism("orders", _endpoints, _options, _time, () => 0, _telemetry, NullLogger.Instance);
        var high = new FailureAccrualMechanism("orders", _endpoints, _options, _time, () => 0.999999, _telemetry, NullLogger.Instance);
        Assert.Equal(0.8, low.Penalty(0).TotalSeconds, 6);
        Assert.Equal(1.2, high.Penalty(0).TotalSeconds, 4);
    }
}
