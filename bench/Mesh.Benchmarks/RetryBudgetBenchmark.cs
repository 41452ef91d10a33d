using BenchmarkDotNet.Attributes;
using Mesh.RetryBudgets;

namespace Mesh.Benchmarks;

/// <summary>
/// The retry budget on the request path: every logical request deposits once, every retry withdraws once. Withdraw is
/// measured with room (ratio 1: each deposit pays for a withdrawal) and empty (min 0/s, ratio tiny), the refusal path.
/// </summary>
public class RetryBudgetBenchmark
{
    private RetryBudget _budget = null!;
    private RetryBudget _empty = null!;

    [GlobalSetup]
    public void Setup()
    {
        _budget = new RetryBudget(1.0, 10, TimeSpan.FromSeconds(10), TimeProvider.System);
        _empty = new RetryBudget(0.000001, 0, TimeSpan.FromSeconds(10), TimeProvider.System);
    }

    [Benchmark(Baseline = true)]
    public void Deposit() => _budget.Deposit();

    [Benchmark]
    public bool DepositThenWithdraw()
    {
        _budget.Deposit();
        return _budget.TryWithdraw();
    }

    [Benchmark]
    public bool WithdrawRefused() => _empty.TryWithdraw();

    [Benchmark]
    public double Remaining() => _budget.Remaining;
}
