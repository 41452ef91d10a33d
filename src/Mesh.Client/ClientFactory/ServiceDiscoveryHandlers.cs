namespace Mesh.Client.ClientFactory;

/// <summary>
/// Recognises Microsoft.Extensions.ServiceDiscovery's handler (<c>AddServiceDiscovery()</c> on a client). On a meshed
/// client it is taken out: Mesh resolves the same names through the same library (and the providers the application
/// registered), balancing over every endpoint; that handler would resolve the logical host to one endpoint before Mesh
/// saw it (so Mesh would see an address, not the service), or resolve each endpoint Mesh picked again. Known by type
/// name: the handler is internal to its library.
/// </summary>
internal static class ServiceDiscoveryHandlers
{
    private const string ResolvingHandler = "Microsoft.Extensions.ServiceDiscovery.Http.ResolvingHttpDelegatingHandler";

    public static bool Is(DelegatingHandler handler) => handler.GetType().FullName == ResolvingHandler;
}
