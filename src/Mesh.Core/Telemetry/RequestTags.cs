using System.Diagnostics;

namespace Mesh.Telemetry;

/// <summary>
/// The tags of one request or attempt measurement, gathered without allocating; a gRPC status of -1 is none. An inbound
/// request's caller (<see cref="InboundPeer"/>), when the sidecar knows it, adds <c>tls</c> and <c>client_id</c>.
/// </summary>
internal readonly struct RequestTags(string direction, string service, string method, int statusCode, bool success, string? errorType, int grpcStatus = -1, string? route = null, string? backend = null, InboundPeer? peer = null)
{
    public TagList ToTagList()
    {
        var tags = new TagList
        {
            { MeshInstruments.DirectionTag, direction },
            { MeshInstruments.ServiceTag, service },
            { MeshInstruments.MethodTag, method },
            { MeshInstruments.ClassificationTag, success ? "success" : "failure" },
        };
        if (statusCode != 0)
        {
            tags.Add(MeshInstruments.StatusCodeTag, TagValues.StatusCode(statusCode));
        }

        if (grpcStatus >= 0)
        {
            tags.Add(MeshInstruments.GrpcStatusCodeTag, TagValues.StatusCode(grpcStatus));
        }

        if (errorType is not null)
        {
            tags.Add(MeshInstruments.ErrorTypeTag, errorType);
        }

        if (route is not null)
        {
            tags.Add(MeshInstruments.RouteTag, route);
        }

        if (backend is not null)
        {
            tags.Add(MeshInstruments.BackendTag, backend);
        }

        if (peer is not null)
        {
            tags.Add(MeshInstruments.TlsTag, peer.TlsTag);
            if (peer.ClientIdTag is not null)
            {
                tags.Add(MeshInstruments.ClientIdTag, peer.ClientIdTag);
            }
        }

        return tags;
    }
}
