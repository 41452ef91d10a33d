using Mesh.FailureAccrual;
using Mesh.Identity;
using Mesh.LoadBalancing;
using Microsoft.Extensions.Options;

namespace Mesh.Configuration;

/// <summary>
/// Validates one service's options, collecting every error with its configuration key, e.g.
/// <c>Mesh:Services:orders:PeakEwma:DecayTime must be greater than zero, was -00:00:01</c>.
/// </summary>
internal sealed class MeshServiceOptionsValidator(LoadBalancerRegistry balancers, FailureAccrualPolicyRegistry accrualPolicies) : IValidateOptions<MeshServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, MeshServiceOptions options)
    {
        var errors = new ValidationErrors($"{MeshServiceOptions.SectionName}:{name}");
        if (!balancers.Contains(options.LoadBalancer))
        {
            errors.Add("LoadBalancer", $"must be one of {string.Join(", ", balancers.Names)}, was '{options.LoadBalancer}'");
        }

        errors.RequireRange("MaxConcurrentRequests", options.MaxConcurrentRequests, 1, 1_000_000);
        var ewma = options.PeakEwma;
        errors.RequirePositive("PeakEwma:DecayTime", ewma.DecayTime);
        errors.RequireNotNegative("PeakEwma:DefaultRtt", ewma.DefaultRtt);
        errors.RequireNotNegative("PeakEwma:FailurePenalty", ewma.FailurePenalty);

        var retry = options.Retry;
        errors.RequireRange("Retry:MaxRetries", retry.MaxRetries, 0, 10);
        errors.RequireRange("Retry:BudgetRatio", retry.BudgetRatio, 0, 1, minExclusive: true);
        errors.RequireRange("Retry:BudgetMinPerSecond", retry.BudgetMinPerSecond, 0, 1_000_000);
        errors.RequirePositive("Retry:BudgetWindow", retry.BudgetWindow);
        errors.RequirePositive("Retry:BaseDelay", retry.BaseDelay);
        errors.RequirePositive("Retry:MaxDelay", retry.MaxDelay);
        errors.RequireNotNegative("Retry:MaxRetryAfter", retry.MaxRetryAfter);
        errors.RequireRange("Retry:MaxReplayBodyBytes", retry.MaxReplayBodyBytes, 0, 16 * 1024 * 1024);
        if (retry.BaseDelay > retry.MaxDelay)
        {
            errors.Add("Retry:BaseDelay", $"must not exceed Retry:MaxDelay ({retry.MaxDelay}), was {retry.BaseDelay}");
        }

        var timeouts = options.Timeouts;
        errors.RequirePositive("Timeouts:Total", timeouts.Total);
        errors.RequirePositive("Timeouts:PerTry", timeouts.PerTry);
        if (timeouts.PerTry > timeouts.Total && timeouts.Total > TimeSpan.Zero)
        {
            errors.Add("Timeouts:PerTry", $"must not exceed Timeouts:Total ({timeouts.Total}), was {timeouts.PerTry}");
        }

        errors.RequirePositive("Upstream:IdleTimeout", options.Upstream.IdleTimeout);

        var accrual = options.FailureAccrual;
        if (!accrualPolicies.Contains(accrual.Policy))
        {
            errors.Add("FailureAccrual:Policy", $"must be one of {string.Join(", ", accrualPolicies.Names)}, was '{accrual.Policy}'");
        }

        errors.RequireRange("FailureAccrual:ConsecutiveFailures", accrual.ConsecutiveFailures, 1, 1_000_000);
        errors.RequireRange("FailureAccrual:MinSuccessRate", accrual.MinSuccessRate, 0, 1);
        errors.RequirePositive("FailureAccrual:SuccessRateWindow", accrual.SuccessRateWindow);
        errors.RequireRange("FailureAccrual:SuccessRateMinRequests", accrual.SuccessRateMinRequests, 1, 1_000_000);
        errors.RequirePositive("FailureAccrual:BaseEjectionTime", accrual.BaseEjectionTime);
        errors.RequirePositive("FailureAccrual:MaxEjectionTime", accrual.MaxEjectionTime);
        errors.RequireRange("FailureAccrual:MaxEjectionPercent", accrual.MaxEjectionPercent, 0, 100);
        if (accrual.BaseEjectionTime > accrual.MaxEjectionTime)
        {
            errors.Add("FailureAccrual:BaseEjectionTime", $"must not exceed FailureAccrual:MaxEjectionTime ({accrual.MaxEjectionTime}), was {accrual.BaseEjectionTime}");
        }

        var hedging = options.Hedging;
        errors.RequireRange("Hedging:Percentile", hedging.Percentile, 0, 1, minExclusive: true);
        errors.RequireNotNegative("Hedging:MinDelay", hedging.MinDelay);

        var backpressure = options.Backpressure;
        errors.RequirePositive("Backpressure:MaxDuration", backpressure.MaxDuration);
        errors.RequireNotNegative("Backpressure:DefaultDuration", backpressure.DefaultDuration);
        if (backpressure.DefaultDuration > backpressure.MaxDuration && backpressure.MaxDuration > TimeSpan.Zero)
        {
            errors.Add("Backpressure:DefaultDuration", $"must not exceed Backpressure:MaxDuration ({backpressure.MaxDuration}), was {backpressure.DefaultDuration}");
        }

        if (ServiceIdentity.Check(options.Identity) is { Length: > 0 } identity)
        {
            errors.Add("Identity", identity);
        }

        return errors.ToResult();
    }
}
