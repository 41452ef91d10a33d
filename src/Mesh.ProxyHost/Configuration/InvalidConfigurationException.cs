namespace Mesh.ProxyHost.Configuration;

/// <summary>The sidecar's configuration is invalid; <see cref="Errors"/> lists every error with its key.</summary>
public sealed class InvalidConfigurationException : Exception
{
    /// <summary>Creates the exception for <paramref name="errors"/>.</summary>
    public InvalidConfigurationException(IReadOnlyList<string> errors)
        : base("Invalid configuration:\n  " + string.Join("\n  ", errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception.</summary>
    public InvalidConfigurationException()
        : this([])
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public InvalidConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Gets every error, each with its configuration key.</summary>
    public IReadOnlyList<string> Errors { get; }
}
