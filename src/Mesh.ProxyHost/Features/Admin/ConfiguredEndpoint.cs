namespace Mesh.ProxyHost.Features.Admin;

/// <summary>One endpoint of a service as <c>/config</c> shows it.</summary>
/// <param name="Address">Its address, e.g. <c>http://127.0.0.1:8081/</c>.</param>
/// <param name="State"><c>ready</c>, <c>ejected</c> or <c>probing</c>.</param>
internal sealed record ConfiguredEndpoint(string Address, string State);
