using System.Net.Http.Headers;

namespace Mesh.Classification;

/// <summary>Reads a response's <c>grpc-status</c>, from its headers (trailers-only) or its trailers.</summary>
internal static class GrpcStatus
{
    /// <summary>The header, and trailer, that carries a gRPC call's status.</summary>
    public const string Header = "grpc-status";

    /// <summary>The status the values name: the first value, INTERNAL when it is not a number, OK when there is none.</summary>
    public static GrpcStatusCode Parse(HeaderStringValues values)
    {
        foreach (var value in values)
        {
            return int.TryParse(value, out var code) ? (GrpcStatusCode)code : GrpcStatusCode.Internal;
        }

        return GrpcStatusCode.Ok;
    }

    /// <summary>Whether <paramref name="response"/> is a gRPC response (<c>content-type: application/grpc*</c>).</summary>
    public static bool IsGrpc(HttpResponseMessage response) =>
        response.Content is { } content &&
        content.Headers.NonValidated.TryGetValues("Content-Type", out var type) &&
        type.ToString().StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The status of a gRPC response so far: its headers' (a trailers-only response), else its trailers' once they have
    /// arrived; null for a response that is not gRPC or whose status has not come yet.
    /// </summary>
    public static GrpcStatusCode? Of(HttpResponseMessage response)
    {
        if (!IsGrpc(response))
        {
            return null;
        }

        if (response.Headers.NonValidated.TryGetValues(Header, out var values) ||
            response.TrailingHeaders.NonValidated.TryGetValues(Header, out values))
        {
            return Parse(values);
        }

        return null;
    }
}
