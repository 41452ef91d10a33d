namespace Mesh.Routing;

/// <summary>One configured route as its service's policy holds it: what it matches, the policy its requests run under, and its statistics.</summary>
/// <param name="Name">Its name, the <c>mesh.route</c> of its requests.</param>
/// <param name="Order">Where it stands: lower first, then by name.</param>
/// <param name="Match">What it matches.</param>
/// <param name="Policy">The service's policy with the route's overrides: timeouts, retries, hedging, classification.</param>
/// <param name="Stats">What the service has learned about it (kept across reloads, by name).</param>
internal sealed record MeshRoute(string Name, int Order, RouteMatcher Match, MeshServicePolicy Policy, RouteStats Stats);
