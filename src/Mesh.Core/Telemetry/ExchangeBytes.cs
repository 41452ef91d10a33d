namespace Mesh.Telemetry;

/// <summary>The body bytes of one logical request: what the caller sent, and what it received.</summary>
/// <param name="Request">Request body bytes (on an upgraded connection, all it sent over the connection).</param>
/// <param name="Response">Response body bytes (on an upgraded connection, all it received).</param>
internal readonly record struct ExchangeBytes(long Request, long Response);
