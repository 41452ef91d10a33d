using Mesh.Endpoints;

namespace Mesh.Telemetry;

/// <summary>A service whose current endpoints the <c>mesh.endpoints</c> gauge reports.</summary>
internal interface IEndpointSource
{
    string ServiceName { get; }

    EndpointSet Endpoints { get; }

    /// <summary>Gets a timestamp of the service's clock, to tell which endpoints are loaded now.</summary>
    long Now { get; }
}
