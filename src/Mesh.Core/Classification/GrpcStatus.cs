using System.Net.Http.Headers;

namespace Mesh.Classification;

/// <summary>The gRPC status codes the classifier looks at.</summary>
internal static class GrpcStatus
{
    public const int Ok = 0;
    public const int DeadlineExceeded = 4;
    public const int ResourceExhausted = 8;
    public const int Internal = 13;
    public const int Unavailable = 14;
    public const int DataLoss = 15;

    public static int Parse(HeaderStringValues values)
    {
        foreach (var value in values)
        {
            return int.TryParse(value, out var code) ? code : Internal;
        }

        return Ok;
    }
}
