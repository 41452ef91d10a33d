namespace Mesh.Telemetry;

/// <summary>Which side of a call Mesh sits on: the values of the <c>mesh.direction</c> tag.</summary>
public static class MeshDirection
{
    /// <summary>Calls the local application makes to other services.</summary>
    public const string Outbound = "outbound";

    /// <summary>Calls other services make to the local application.</summary>
    public const string Inbound = "inbound";
}
