using Mesh.Classification;
using Mesh.Routing;
using Mesh.TrafficSplit;

namespace Mesh.Configuration;

/// <summary>
/// Validates one route of a service (<c>Mesh:Services:{service}:Routes:{name}</c>): its name, its match, and its
/// overrides as they apply on top of the service's (a route's <c>Timeouts:PerTry</c> must not exceed the <c>Total</c> in
/// effect for it, whichever of the two set it). Errors name the route's keys.
/// </summary>
internal static class RouteOptionsValidator
{
    public static void Validate(string name, RouteOptions route, MeshServiceOptions service, MeshServiceOptionsValidator.SectionsValid serviceValid, ValidationErrors errors)
    {
        var prefix = $"Routes:{name}";
        if (name.Length == 0 || !name.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            errors.Add(prefix, "must be named with letters, digits, '-', '_' and '.' (the name is its mesh.route value)");
        }
        else if (string.Equals(name, RouteValues.Default, StringComparison.OrdinalIgnoreCase) || string.Equals(name, RouteValues.Other, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(prefix, $"must not be named '{name}': Mesh gives that mesh.route to requests no route matches");
        }

        RouteMatcher.Validate(route.Match, $"{prefix}:Match", errors);
        ResponseClasses.Validate(route.Classification, $"{prefix}:Classification", errors);
        BackendSplit.Validate(route.Backends, $"{prefix}:Backends", errors);

        // The overrides, checked as they apply: on the service's values, where those are valid themselves.
        var merged = RouteOptionsMerge.Merge(service, route);
        if (serviceValid.Retry)
        {
            MeshServiceOptionsValidator.ValidateRetry(errors, $"{prefix}:", merged.Retry);
        }

        if (serviceValid.Timeouts)
        {
            MeshServiceOptionsValidator.ValidateTimeouts(errors, $"{prefix}:", merged.Timeouts);
        }

        if (serviceValid.Hedging)
        {
            MeshServiceOptionsValidator.ValidateHedging(errors, $"{prefix}:", merged.Hedging);
        }
    }
}
