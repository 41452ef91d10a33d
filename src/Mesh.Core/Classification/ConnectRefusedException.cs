namespace Mesh.Classification;

/// <summary>
/// Thrown by a connect callback that refuses to open a connection for a reason of its own, before anything is sent:
/// an address the host never connects to, a peer whose identity is not the expected one. The classifier adopts its
/// <see cref="Reason"/> (a metric tag value) and <see cref="IsRetryable"/> for the attempt, so the refusal is labelled
/// as what it is in metrics, traces and the tap, rather than as a plain connect error.
/// </summary>
internal sealed class ConnectRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">The classification reason, e.g. <c>forbidden_address</c>.</param>
    /// <param name="message">What was refused and why.</param>
    /// <param name="isRetryable">Whether another endpoint may be tried (nothing was sent either way).</param>
    public ConnectRefusedException(string reason, string message, bool isRetryable)
        : base(message)
    {
        Reason = reason;
        IsRetryable = isRetryable;
    }

    /// <summary>Creates the exception.</summary>
    public ConnectRefusedException()
        : this(FailureReasons.ConnectError, "Mesh: the connection was refused.", isRetryable: true)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ConnectRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = FailureReasons.ConnectError;
        IsRetryable = true;
    }

    /// <summary>Gets the classification reason.</summary>
    public string Reason { get; }

    /// <summary>Gets whether another endpoint may be tried.</summary>
    public bool IsRetryable { get; }
}
