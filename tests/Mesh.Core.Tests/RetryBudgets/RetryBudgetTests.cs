using CsCheck;
using Mesh.RetryBudgets;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Core.Tests.RetryBudgets;

public class RetryBudgetTests
{
    private readonly FakeTimeProvider _time = new();

    private static int WithdrawAll(RetryBudget budget)
    {
        var granted = 0;
        while (budget.TryWithdraw())
        {
            granted++;
        }

        return granted;
    }

    [Fact]
    public void WithNoTraffic_TheReserveAccruesAtMinPerSecond_UpToOneWindow()
    {
        var budget = new RetryBudget(0.2, minPerSecond: 10, TimeSpan.FromSeconds(10), _time);
        Assert.Equal(10, WithdrawAll(budget));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, WithdrawAll(budget));
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(100, WithdrawAll(budget));
    }

    [Fact]
    public void Retries_AddAtMostRatioOfRequests_PlusReserve()
    {
        var budget = new RetryBudget(0.2, minPerSecond: 0, TimeSpan.FromSeconds(10), _time);
        for (var i = 0; i < 1000; i++)
        {
            budget.Deposit();
        }

        Assert.Equal(200, WithdrawAll(budget));
    }

    [Fact]
    public void EmptyBudget_RefusesWithoutTakingAnything()
    {
        var budget = new RetryBudget(0.5, minPerSecond: 0, TimeSpan.FromSeconds(10), _time);
        budget.Deposit();
        budget.Deposit();
        Assert.True(budget.TryWithdraw());
        Assert.False(budget.TryWithdraw());
        Assert.False(budget.TryWithdraw());
        budget.Deposit();
        budget.Deposit();
        Assert.True(budget.TryWithdraw());
    }

    [Fact]
    public void RequestsAndRetries_LeaveTheWindow()
    {
        var budget = new RetryBudget(0.2, minPerSecond: 0, TimeSpan.FromSeconds(10), _time);
        for (var i = 0; i < 100; i++)
        {
            budget.Deposit();
        }

        Assert.Equal(20, WithdrawAll(budget));
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(0, WithdrawAll(budget));
        for (var i = 0; i < 50; i++)
        {
            budget.Deposit();
        }

        Assert.Equal(10, WithdrawAll(budget));
    }

    /// <summary>One step of a generated history: a request (0), a retry attempt (1), or time passing (2, by Millis).</summary>
    private readonly record struct Step(int Kind, int Millis);

    [Fact]
    public void Property_RetriesInAnyWindow_NeverExceedRatioTimesRequestsPlusReserve_AndNoRetriesWithoutDemand()
    {
        var steps = Gen.Select(Gen.Int[0, 2], Gen.Int[0, 700], static (kind, ms) => new Step(kind, ms)).Array[1, 3000];
        steps.Sample(history =>
        {
            var time = new FakeTimeProvider();
            var window = TimeSpan.FromSeconds(10);
            var budget = new RetryBudget(0.2, minPerSecond: 1, window, time);
            var events = new List<(TimeSpan At, bool Retry)>();
            var now = TimeSpan.Zero;
            var asked = 0;
            foreach (var step in history)
            {
                switch (step.Kind)
                {
                    case 0:
                        budget.Deposit();
                        events.Add((now, false));
                        break;
                    case 1:
                        asked++;
                        if (budget.TryWithdraw())
                        {
                            events.Add((now, true));
                        }

                        break;
                    default:
                        time.Advance(TimeSpan.FromMilliseconds(step.Millis));
                        now += TimeSpan.FromMilliseconds(step.Millis);
                        break;
                }
            }

            // Granted retries never exceed the retries asked for (none are made up), and the budget's guarantee holds:
            // with its window kept in ten 1 s slots, at every retry r, the retries of the last 9 s (all of which it
            // counted) are at most 0.2 × the requests of the last 10 s (the most it counted) + 1/s × 10 s.
            if (events.Count(e => e.Retry) > asked)
            {
                return false;
            }

            foreach (var (at, _) in events.Where(e => e.Retry))
            {
                var retries = events.Count(e => e.Retry && e.At > at - TimeSpan.FromSeconds(9) && e.At <= at);
                var requests = events.Count(e => !e.Retry && e.At > at - window && e.At <= at);
                if (retries > (0.2 * requests) + 10)
                {
                    return false;
                }
            }

            return true;
        }, iter: 200, seed: "0N0XIzNsQ0O2");
    }
}
