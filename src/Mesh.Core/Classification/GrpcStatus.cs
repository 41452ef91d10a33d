using System.Net.Http.Headers;

namespace Mesh.Classification;

/// <summary>Reads a response's <c>grpc-status</c>.</summary>
internal static class GrpcStatus
{
    /// <summary>The status the values name: the first value, INTERNAL when it is not a number, OK when there is none.</summary>
    public static GrpcStatusCode Parse(HeaderStringValues values)
    {
        foreach (var value in values)
        {
            return int.TryParse(value, out var code) ? (GrpcStatusCode)code : GrpcStatusCode.Internal;
        }

        return GrpcStatusCode.Ok;
    }
}
