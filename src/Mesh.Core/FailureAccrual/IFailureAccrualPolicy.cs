namespace Mesh.FailureAccrual;

/// <summary>
/// The policy half of failure accrual, one instance per endpoint: it decides when an endpoint is dead.
/// The mechanism (<see cref="FailureAccrualMechanism"/>) ejects it, holds it out for a penalty, and probes it.
/// </summary>
public interface IFailureAccrualPolicy
{
    /// <summary>Records a successful attempt.</summary>
    void RecordSuccess();

    /// <summary>
    /// Records a successful attempt that ended at <paramref name="timestamp"/>, a value of the service's
    /// <see cref="TimeProvider.GetTimestamp"/> the mechanism has just read (a policy keeping time windows need not read the
    /// clock again on every success). The mechanism calls this one; by default it calls <see cref="RecordSuccess"/>.
    /// </summary>
    /// <param name="timestamp">When the attempt ended.</param>
    void RecordSuccessAt(long timestamp) => RecordSuccess();

    /// <summary>Records a failed attempt; returns why the endpoint should be ejected (a metric tag value), or null to keep it.</summary>
    string? RecordFailure();

    /// <summary>Forgets the history: called when the endpoint is ejected and when it returns after a successful probe.</summary>
    void Reset();
}
