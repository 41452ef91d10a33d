namespace Mesh.ProxyHost.Features.Forwarding;

/// <summary>An unknown host resolved to an address the sidecar never forwards to (<see cref="ForbiddenAddresses"/>).</summary>
public sealed class ForbiddenAddressException : Exception
{
    /// <summary>Creates the exception for <paramref name="host"/>.</summary>
    public ForbiddenAddressException(string host)
        : base($"Mesh: '{host}' resolves to an address the sidecar never forwards to (link-local or a cloud metadata service).")
    {
        Host = host;
    }

    /// <summary>Creates the exception.</summary>
    public ForbiddenAddressException()
        : this("")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ForbiddenAddressException(string message, Exception innerException)
        : base(message, innerException)
    {
        Host = "";
    }

    /// <summary>Gets the host that was refused.</summary>
    public string Host { get; }
}
