namespace Mesh.Client.ClientFactory;

/// <summary>A meshed client configured in a way Mesh refuses (a second retry layer), thrown when its handlers are built.</summary>
internal sealed class MeshClientConflictException(string message) : InvalidOperationException(message);
