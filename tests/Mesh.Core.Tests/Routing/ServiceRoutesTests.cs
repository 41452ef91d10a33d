using Mesh.Routing;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Core.Tests.Routing;

public class ServiceRoutesTests
{
    [Fact]
    public void GrpcMethods_AreNamedUpToTheCap_ThenOther_AndAValueIsMadeOnce()
    {
        var routes = new ServiceRoutes(new FakeTimeProvider());
        var values = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 10_000; i++)
        {
            values.Add(routes.ForGrpcMethod($"/pkg.Svc/M{i}", max: 100).Name);
        }

        Assert.Equal(101, values.Count);
        Assert.Contains(RouteValues.Other, values);
        Assert.Same(routes.ForGrpcMethod("/pkg.Svc/M7", 100), routes.ForGrpcMethod("/pkg.Svc/M7".AsSpan().ToString(), 100));
        Assert.Equal(RouteValues.Other, routes.ForGrpcMethod("/pkg.Svc/M100", 100).Name);
    }

    [Fact]
    public async Task ConcurrentNewMethods_NeverNameMoreThanTheCap()
    {
        var routes = new ServiceRoutes(new FakeTimeProvider());
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                routes.ForGrpcMethod($"/pkg.Svc/M{(i * 8) + t}", max: 50);
            }
        })));

        // 50 methods, default and other.
        Assert.Equal(52, routes.All.Count);
    }

    [Fact]
    public void ConfiguredNamesAndDefault_AreAlwaysTheirOwn_EvenPastTheCap()
    {
        var routes = new ServiceRoutes(new FakeTimeProvider());
        routes.ForGrpcMethod("/a/b", max: 0);
        Assert.Equal("reports", routes.Configured("reports").Name);
        Assert.Same(routes.Configured("reports"), routes.Configured("reports"));
        Assert.Equal(RouteValues.Default, routes.Default.Name);
    }

    [Fact]
    public void AServiceThatDoesNotGroupGrpc_CountsEveryCallAsDefault()
    {
        var routes = new ServiceRoutes(new FakeTimeProvider(), groupGrpc: false);
        Assert.Same(routes.Default, routes.ForGrpcMethod("/pkg.Svc/M", max: 100));
    }
}
