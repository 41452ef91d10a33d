using Mesh.Classification;
using Mesh.FailureAccrual;
using Mesh.Identity;
using Mesh.LoadBalancing;
using Mesh.TrafficSplit;
using Microsoft.Extensions.Options;

namespace Mesh.Configuration;

/// <summary>
/// Validates one service's options, collecting every error with its configuration key, e.g.
/// <c>Mesh:Services:orders:PeakEwma:DecayTime must be greater than zero, was -00:00:01</c>. A route's overrides are
/// checked as they apply, on top of the service's (<see cref="RouteOptionsValidator"/>).
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
        errors.RequireRange("MaxRouteValues", options.MaxRouteValues, 0, 10_000);
        var ewma = options.PeakEwma;
        errors.RequirePositive("PeakEwma:DecayTime", ewma.DecayTime);
        errors.RequireNotNegative("PeakEwma:DefaultRtt", ewma.DefaultRtt);
        errors.RequireNotNegative("PeakEwma:FailurePenalty", ewma.FailurePenalty);

        var sections = new SectionsValid(
            Retry: ValidateRetry(errors, "", options.Retry),
            Timeouts: ValidateTimeouts(errors, "", options.Timeouts),
            Hedging: ValidateHedging(errors, "", options.Hedging));
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

        ResponseClasses.Validate(options.Classification, "Classification", errors);
        BackendSplit.Validate(options.Backends, "Backends", errors);
        foreach (var (routeName, route) in options.Routes)
        {
            RouteOptionsValidator.Validate(routeName, route, options, sections, errors);
        }

        return errors.ToResult();
    }

    /// <summary>Checks a retry section under <paramref name="prefix"/> (empty, or a route's <c>Routes:{name}:</c>); true when it adds no error.</summary>
    internal static bool ValidateRetry(ValidationErrors errors, string prefix, RetryOptions retry)
    {
        var before = errors.Count;
        errors.RequireRange($"{prefix}Retry:MaxRetries", retry.MaxRetries, 0, 10);
        errors.RequireRange($"{prefix}Retry:BudgetRatio", retry.BudgetRatio, 0, 1, minExclusive: true);
        errors.RequireRange($"{prefix}Retry:BudgetMinPerSecond", retry.BudgetMinPerSecond, 0, 1_000_000);
        errors.RequirePositive($"{prefix}Retry:BudgetWindow", retry.BudgetWindow);
        errors.RequirePositive($"{prefix}Retry:BaseDelay", retry.BaseDelay);
        errors.RequirePositive($"{prefix}Retry:MaxDelay", retry.MaxDelay);
        errors.RequireNotNegative($"{prefix}Retry:MaxRetryAfter", retry.MaxRetryAfter);
        errors.RequireRange($"{prefix}Retry:MaxReplayBodyBytes", retry.MaxReplayBodyBytes, 0, 16 * 1024 * 1024);
        if (retry.BaseDelay > retry.MaxDelay)
        {
            errors.Add($"{prefix}Retry:BaseDelay", $"must not exceed Retry:MaxDelay ({retry.MaxDelay}), was {retry.BaseDelay}");
        }

        return errors.Count == before;
    }

    /// <summary>Checks a timeouts section under <paramref name="prefix"/>; true when it adds no error.</summary>
    internal static bool ValidateTimeouts(ValidationErrors errors, string prefix, TimeoutOptions timeouts)
    {
        var before = errors.Count;
        errors.RequirePositive($"{prefix}Timeouts:Total", timeouts.Total);
        errors.RequirePositive($"{prefix}Timeouts:PerTry", timeouts.PerTry);
        if (timeouts.PerTry > timeouts.Total && timeouts.Total > TimeSpan.Zero)
        {
            errors.Add($"{prefix}Timeouts:PerTry", $"must not exceed Timeouts:Total ({timeouts.Total}), was {timeouts.PerTry}");
        }

        return errors.Count == before;
    }

    /// <summary>Checks a hedging section under <paramref name="prefix"/>; true when it adds no error.</summary>
    internal static bool ValidateHedging(ValidationErrors errors, string prefix, HedgingOptions hedging)
    {
        var before = errors.Count;
        errors.RequireRange($"{prefix}Hedging:Percentile", hedging.Percentile, 0, 1, minExclusive: true);
        errors.RequireNotNegative($"{prefix}Hedging:MinDelay", hedging.MinDelay);
        return errors.Count == before;
    }

    /// <summary>Which of the service's own sections were valid: a route is checked only where its service's were, so an error is reported once, at its key.</summary>
    internal readonly record struct SectionsValid(bool Retry, bool Timeouts, bool Hedging);
}
