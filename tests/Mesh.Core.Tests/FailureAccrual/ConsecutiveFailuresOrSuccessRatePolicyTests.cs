using Mesh.Configuration;
using Mesh.FailureAccrual;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Core.Tests.FailureAccrual;

public class ConsecutiveFailuresOrSuccessRatePolicyTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Reconfigure_LowerConsecutiveFailures_CountsTheFailuresSoFar()
    {
        var policy = new ConsecutiveFailuresOrSuccessRatePolicy(new FailureAccrualOptions { ConsecutiveFailures = 10, SuccessRateMinRequests = 1000 }, _time);
        for (var i = 0; i < 4; i++)
        {
            Assert.Null(policy.RecordFailure());
        }

        policy.Reconfigure(new FailureAccrualOptions { ConsecutiveFailures = 5, SuccessRateMinRequests = 1000 });

        Assert.Equal(EjectionReasons.ConsecutiveFailures, policy.RecordFailure());
    }

    [Fact]
    public void Reconfigure_NewSuccessRateWindow_StartsTheSuccessRateAfresh_SameWindowKeepsIt()
    {
        var options = new FailureAccrualOptions { ConsecutiveFailures = 100, SuccessRateMinRequests = 10, MinSuccessRate = 0.4 };
        var policy = new ConsecutiveFailuresOrSuccessRatePolicy(options, _time);
        for (var i = 0; i < 8; i++)
        {
            policy.RecordSuccess();
            Assert.Null(policy.RecordFailure());
        }

        // Same window, a higher bar: the requests counted so far (50% success) now fall below it.
        policy.Reconfigure(new FailureAccrualOptions { ConsecutiveFailures = 100, SuccessRateMinRequests = 10, MinSuccessRate = 0.6 });
        Assert.Equal(EjectionReasons.SuccessRate, policy.RecordFailure());

        // A new window: counting starts again, so one more failure is 1 request, under the minimum of 10.
        policy.Reconfigure(new FailureAccrualOptions { ConsecutiveFailures = 100, SuccessRateMinRequests = 10, MinSuccessRate = 0.6, SuccessRateWindow = TimeSpan.FromSeconds(30) });
        Assert.Null(policy.RecordFailure());
    }

    [Fact]
    public void Reset_ForgetsTheFailuresInARow()
    {
        var policy = new ConsecutiveFailuresOrSuccessRatePolicy(new FailureAccrualOptions { ConsecutiveFailures = 5, SuccessRateMinRequests = 1000 }, _time);
        for (var i = 0; i < 4; i++)
        {
            Assert.Null(policy.RecordFailure());
        }

        policy.Reset();
        for (var i = 0; i < 4; i++)
        {
            Assert.Null(policy.RecordFailure());
        }

        Assert.Equal(EjectionReasons.ConsecutiveFailures, policy.RecordFailure());
    }

    [Fact]
    public void Reset_ForgetsTheRequestsAndFailuresOfTheSuccessRate()
    {
        var options = new FailureAccrualOptions { ConsecutiveFailures = 100, SuccessRateMinRequests = 4, MinSuccessRate = 0.7 };
        var policy = new ConsecutiveFailuresOrSuccessRatePolicy(options, _time);
        for (var i = 0; i < 3; i++)
        {
            policy.RecordSuccess();
        }

        // Forgotten requests: two failures are 2 requests, under the minimum of 4 (not 2 of 5, a 60% success rate).
        policy.Reset();
        Assert.Null(policy.RecordFailure());
        Assert.Null(policy.RecordFailure());

        // Forgotten failures: then 3 successes and 1 failure are 75% (not 3 of 6, 50%).
        policy.Reset();
        policy.RecordSuccess();
        policy.RecordSuccess();
        policy.RecordSuccess();
        Assert.Null(policy.RecordFailure());
    }

    [Fact]
    public void SuccessRateExactlyAtTheMinimum_KeepsTheEndpoint()
    {
        var policy = new ConsecutiveFailuresOrSuccessRatePolicy(new FailureAccrualOptions { ConsecutiveFailures = 100, SuccessRateMinRequests = 2, MinSuccessRate = 0.5 }, _time);
        policy.RecordSuccess();
        Assert.Null(policy.RecordFailure());
        Assert.Equal(EjectionReasons.SuccessRate, policy.RecordFailure());
    }

    [Fact]
    public void Registry_CreatesTheNamedPolicy_CaseInsensitively_AndRefusesAnUnknownName()
    {
        var custom = new ConsecutiveFailuresOrSuccessRatePolicy(new FailureAccrualOptions(), _time);
        var registry = new FailureAccrualPolicyRegistry([new FailureAccrualPolicyRegistration("Mine", (_, _) => custom)]);

        Assert.Same(custom, registry.Create(new FailureAccrualOptions { Policy = "MINE" }, _time));
        Assert.IsType<ConsecutiveFailuresOrSuccessRatePolicy>(registry.Create(new FailureAccrualOptions(), _time));
        var error = Assert.Throws<ArgumentException>(() => registry.Create(new FailureAccrualOptions { Policy = "Other" }, _time));
        Assert.Contains("'Other'", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new FailureAccrualPolicyRegistry(null!));
        Assert.Throws<ArgumentNullException>(() => registry.Create(null!, _time));
    }
}
