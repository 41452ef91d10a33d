using Mesh.Endpoints;

namespace Mesh.FailureAccrual;

/// <summary>
/// One endpoint's place in the ejection state machine: Ready → Ejected (until a penalty ends) → Probing (one real
/// request) → Ready, or Ejected again with a longer penalty. Transitions are compare-and-swap, so exactly one
/// request becomes the probe however many arrive at once.
/// </summary>
internal sealed class EndpointHealth(IFailureAccrualPolicy policy, string policyName = FailureAccrualPolicyRegistry.ConsecutiveFailuresOrSuccessRate)
{
    private int _state;
    private long _ejectedUntil;
    private NamedPolicy _policy = new(policy, policyName);

    /// <summary>Gets the policy that decides when this endpoint is dead.</summary>
    public IFailureAccrualPolicy Policy => Volatile.Read(ref _policy).Policy;

    /// <summary>Gets the name the policy was registered under.</summary>
    public string PolicyName => Volatile.Read(ref _policy).Name;

    /// <summary>Replaces the policy (configuration named another one): the new one starts without history.</summary>
    public void ReplacePolicy(IFailureAccrualPolicy policy, string name) => Volatile.Write(ref _policy, new NamedPolicy(policy, name));

    public EndpointState State => (EndpointState)Volatile.Read(ref _state);

    /// <summary>Gets the number of ejections in a row, which sets the next penalty.</summary>
    public int Ejections { get; private set; }

    /// <summary>Gets why the endpoint was last ejected.</summary>
    public string? EjectionReason { get; private set; }

    public bool TryEject(EndpointState from, long until, string reason)
    {
        Volatile.Write(ref _ejectedUntil, until);
        if (Interlocked.CompareExchange(ref _state, (int)EndpointState.Ejected, (int)from) != (int)from)
        {
            return false;
        }

        Ejections++;
        EjectionReason = reason;
        return true;
    }

    /// <summary>Claims the single probe once the penalty has ended.</summary>
    public bool TryStartProbe(long now) =>
        State == EndpointState.Ejected &&
        now >= Volatile.Read(ref _ejectedUntil) &&
        Interlocked.CompareExchange(ref _state, (int)EndpointState.Probing, (int)EndpointState.Ejected) == (int)EndpointState.Ejected;

    /// <summary>The probe succeeded: back in service, with the penalty reset.</summary>
    public bool TryRevive()
    {
        if (Interlocked.CompareExchange(ref _state, (int)EndpointState.Ready, (int)EndpointState.Probing) != (int)EndpointState.Probing)
        {
            return false;
        }

        Ejections = 0;
        EjectionReason = null;
        return true;
    }

    /// <summary>The probe ended without a verdict (the caller cancelled, the endpoint asked for less traffic): let the next request probe from <paramref name="from"/> on.</summary>
    public void ReleaseProbe(long from)
    {
        Volatile.Write(ref _ejectedUntil, from);
        Interlocked.CompareExchange(ref _state, (int)EndpointState.Ejected, (int)EndpointState.Probing);
    }

    // A policy and its registered name, swapped as one.
    private sealed record NamedPolicy(IFailureAccrualPolicy Policy, string Name);
}
