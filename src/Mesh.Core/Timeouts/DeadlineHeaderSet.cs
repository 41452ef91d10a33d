namespace Mesh.Timeouts;

/// <summary>The deadline headers a caller sent with its request.</summary>
[Flags]
internal enum DeadlineHeaderSet
{
    /// <summary><c>mesh-timeout-ms</c>.</summary>
    MeshTimeout = 1,

    /// <summary><c>grpc-timeout</c>.</summary>
    GrpcTimeout = 2,
}
