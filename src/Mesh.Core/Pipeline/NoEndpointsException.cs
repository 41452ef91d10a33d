namespace Mesh.Pipeline;

/// <summary>Thrown when a service has no endpoint to send a request to: discovery found none, or all are gone.</summary>
public sealed class NoEndpointsException : HttpRequestException
{
    /// <summary>Creates the exception for <paramref name="service"/>.</summary>
    public NoEndpointsException(string service)
        : base(HttpRequestError.ConnectionError, $"Mesh: service '{service}' has no endpoints. Add some under 'Services:{service}:http' (or check discovery).")
    {
        Service = service;
    }

    /// <summary>Creates the exception.</summary>
    public NoEndpointsException()
        : this("unknown")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NoEndpointsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Service = "unknown";
    }

    /// <summary>Gets the service that had no endpoints.</summary>
    public string Service { get; }
}
