using Mesh.Configuration;
using Mesh.FailureAccrual;
using Mesh.LoadBalancing;

namespace Mesh.Core.Tests.Configuration;

public class RouteOptionsValidatorTests
{
    private static readonly MeshServiceOptionsValidator Validator = new(new LoadBalancerRegistry([]), new FailureAccrualPolicyRegistry([]));

    private static List<string> Errors(params (string Name, RouteOptions Route)[] routes)
    {
        var options = new MeshServiceOptions();
        foreach (var (name, route) in routes)
        {
            options.Routes[name] = route;
        }

        return Validator.Validate("orders", options).Failures?.ToList() ?? [];
    }

    [Fact]
    public void GoodRoutes_AreValid()
    {
        Assert.Empty(Errors(
            ("get-order", new RouteOptions { Match = { Method = "GET", Path = "/orders/{id}" }, Timeouts = { PerTry = TimeSpan.FromSeconds(2) } }),
            ("canary", new RouteOptions { Order = -1, Match = { Headers = { ["x-canary"] = "1" } }, Idempotent = true, Retry = { MaxRetries = 3 } }),
            ("grpc.get", new RouteOptions { Match = { GrpcService = "orders.v1.Orders", GrpcMethod = "Get" }, Hedging = { Enabled = true } })));
    }

    [Fact]
    public void BadRoutes_EveryErrorReported_WithItsKeyAndReason()
    {
        var errors = Errors(
            ("reports", new RouteOptions
            {
                Match = { Method = "GE T", Path = "/reports/x{id}", PathPrefix = "reports", Headers = { ["bad header"] = "1" } },
                Timeouts = { PerTry = TimeSpan.FromSeconds(40) },
                Retry = { MaxRetries = 11, BaseDelay = TimeSpan.FromSeconds(1) },
                Hedging = { Percentile = 1.5 },
                Classification = { RetryableStatuses = "700" },
            }),
            ("other", new RouteOptions()),
            ("has space", new RouteOptions()),
            ("grpc", new RouteOptions { Match = { GrpcService = "a/b", Path = "/x" } }));

        string[] expected =
        [
            "Mesh:Services:orders:Routes:reports:Match:Method must be an HTTP method such as GET or POST, was 'GE T'",
            "Mesh:Services:orders:Routes:reports:Match:Path segment 'x{id}' must be a literal or a whole {parameter}, was '/reports/x{id}'",
            "Mesh:Services:orders:Routes:reports:Match:PathPrefix must start with /, was 'reports'",
            "Mesh:Services:orders:Routes:reports:Match:PathPrefix must not be set with Path: a route matches a template or a prefix",
            "Mesh:Services:orders:Routes:reports:Match:Headers:bad header must be a header name (letters, digits and !#$%&'*+-.^_`|~)",
            "Mesh:Services:orders:Routes:reports:Retry:MaxRetries must be in [0, 10], was 11",
            "Mesh:Services:orders:Routes:reports:Retry:BaseDelay must not exceed Retry:MaxDelay (00:00:00.2500000), was 00:00:01",
            "Mesh:Services:orders:Routes:reports:Timeouts:PerTry must not exceed Timeouts:Total (00:00:30), was 00:00:40",
            "Mesh:Services:orders:Routes:reports:Hedging:Percentile must be in (0, 1], was 1.5",
            "Mesh:Services:orders:Routes:other must not be named 'other': Mesh gives that mesh.route to requests no route matches",
            "Mesh:Services:orders:Routes:has space must be named with letters, digits, '-', '_' and '.' (the name is its mesh.route value)",
            "Mesh:Services:orders:Routes:grpc:Match:GrpcService must be a name without / such as orders.v1.Orders, was 'a/b'",
            "Mesh:Services:orders:Routes:grpc:Match:GrpcService must not be set with Path or PathPrefix: a gRPC call's path is its service and method",
        ];
        foreach (var error in expected)
        {
            Assert.Contains(error, errors);
        }

        Assert.Contains(errors, e => e.StartsWith("Mesh:Services:orders:Routes:reports:Classification:RetryableStatuses must be HTTP status codes", StringComparison.Ordinal) && e.Contains("'700'", StringComparison.Ordinal));
        Assert.Equal(expected.Length + 1, errors.Count);
    }

    [Fact]
    public void ARouteOverride_IsCheckedAgainstTheServicesValues_AndAServiceErrorIsReportedOnce()
    {
        var options = new MeshServiceOptions { Timeouts = { Total = TimeSpan.FromSeconds(5), PerTry = TimeSpan.FromSeconds(5) } };
        options.Routes["slow"] = new RouteOptions { Timeouts = { Total = TimeSpan.FromSeconds(60), PerTry = TimeSpan.FromSeconds(20) } };
        options.Routes["fast"] = new RouteOptions { Timeouts = { PerTry = TimeSpan.FromSeconds(6) } };
        Assert.Equal(
            ["Mesh:Services:orders:Routes:fast:Timeouts:PerTry must not exceed Timeouts:Total (00:00:05), was 00:00:06"],
            Validator.Validate("orders", options).Failures);

        options.Timeouts.PerTry = TimeSpan.FromSeconds(-1);
        Assert.Equal(["Mesh:Services:orders:Timeouts:PerTry must be greater than zero, was -00:00:01"], Validator.Validate("orders", options).Failures);
    }

    [Fact]
    public void MaxRouteValues_IsBounded()
    {
        Assert.Equal(
            ["Mesh:Services:orders:MaxRouteValues must be in [0, 10000], was 10001"],
            Validator.Validate("orders", new MeshServiceOptions { MaxRouteValues = 10_001 }).Failures);
    }
}
