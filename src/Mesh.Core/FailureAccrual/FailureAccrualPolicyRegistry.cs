using Mesh.Configuration;

namespace Mesh.FailureAccrual;

/// <summary>
/// The failure accrual policies configuration may name (<c>Mesh:Services:{service}:FailureAccrual:Policy</c>): the
/// built-in <c>ConsecutiveFailuresOrSuccessRate</c> plus those registered with <c>AddMeshFailureAccrualPolicy</c>.
/// Names compare case-insensitively.
/// </summary>
public sealed class FailureAccrualPolicyRegistry
{
    /// <summary>The built-in policy: ejected after <c>ConsecutiveFailures</c> in a row, or below <c>MinSuccessRate</c>.</summary>
    public const string ConsecutiveFailuresOrSuccessRate = "ConsecutiveFailuresOrSuccessRate";

    private readonly Dictionary<string, Func<FailureAccrualOptions, TimeProvider, IFailureAccrualPolicy>> _factories = new(StringComparer.OrdinalIgnoreCase)
    {
        [ConsecutiveFailuresOrSuccessRate] = static (options, time) => new ConsecutiveFailuresOrSuccessRatePolicy(options, time),
    };

    /// <summary>Creates a registry of the built-in policy and <paramref name="registrations"/>.</summary>
    public FailureAccrualPolicyRegistry(IEnumerable<FailureAccrualPolicyRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        foreach (var registration in registrations)
        {
            _factories[registration.Name] = registration.Create;
        }
    }

    /// <summary>Gets the names configuration may use.</summary>
    public IEnumerable<string> Names => _factories.Keys;

    /// <summary>Whether a policy of this name exists.</summary>
    public bool Contains(string? name) => name is not null && _factories.ContainsKey(name);

    /// <summary>Creates the policy of one endpoint.</summary>
    public IFailureAccrualPolicy Create(FailureAccrualOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        return _factories.TryGetValue(options.Policy, out var create)
            ? create(options, time)
            : throw new ArgumentException($"No failure accrual policy named '{options.Policy}'.", nameof(options));
    }
}

/// <summary>A custom failure accrual policy: a name configuration can refer to and a factory (called once per endpoint).</summary>
/// <param name="Name">The name used in <c>Mesh:Services:{service}:FailureAccrual:Policy</c>.</param>
/// <param name="Create">Creates the policy of one endpoint, from the service's options and clock.</param>
public sealed record FailureAccrualPolicyRegistration(string Name, Func<FailureAccrualOptions, TimeProvider, IFailureAccrualPolicy> Create);
