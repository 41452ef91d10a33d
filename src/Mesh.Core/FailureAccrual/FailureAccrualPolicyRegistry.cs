using Mesh.Configuration;
using Mesh.Internal;

namespace Mesh.FailureAccrual;

/// <summary>
/// The failure accrual policies <c>Mesh:Services:{service}:FailureAccrual:Policy</c> may name: the built-in
/// <c>ConsecutiveFailuresOrSuccessRate</c> plus those registered with <c>AddMeshFailureAccrualPolicy</c>.
/// </summary>
internal sealed class FailureAccrualPolicyRegistry(IEnumerable<FailureAccrualPolicyRegistration> registrations)
    : NamedRegistry<Func<FailureAccrualOptions, TimeProvider, IFailureAccrualPolicy>>("failure accrual policy", BuiltIns, registrations.Select(static r => KeyValuePair.Create(r.Name, r.Create)))
{
    /// <summary>The built-in policy: ejected after <c>ConsecutiveFailures</c> in a row, or below <c>MinSuccessRate</c>.</summary>
    public const string ConsecutiveFailuresOrSuccessRate = "ConsecutiveFailuresOrSuccessRate";

    private static readonly KeyValuePair<string, Func<FailureAccrualOptions, TimeProvider, IFailureAccrualPolicy>>[] BuiltIns =
    [
        new(ConsecutiveFailuresOrSuccessRate, static (options, time) => new ConsecutiveFailuresOrSuccessRatePolicy(options, time)),
    ];

    /// <summary>Creates the policy of one endpoint.</summary>
    public IFailureAccrualPolicy Create(FailureAccrualOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Get(options.Policy)(options, time);
    }
}

/// <summary>A custom failure accrual policy: a name configuration can refer to and a factory (called once per endpoint).</summary>
/// <param name="Name">The name used in <c>Mesh:Services:{service}:FailureAccrual:Policy</c>.</param>
/// <param name="Create">Creates the policy of one endpoint, from the service's options and clock.</param>
internal sealed record FailureAccrualPolicyRegistration(string Name, Func<FailureAccrualOptions, TimeProvider, IFailureAccrualPolicy> Create);
