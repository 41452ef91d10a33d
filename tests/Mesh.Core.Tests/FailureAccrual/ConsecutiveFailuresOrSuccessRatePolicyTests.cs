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
}
