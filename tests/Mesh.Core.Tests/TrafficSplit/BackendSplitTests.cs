using Mesh.Configuration;
using Mesh.FailureAccrual;
using Mesh.LoadBalancing;
using Mesh.TrafficSplit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Core.Tests.TrafficSplit;

public sealed class BackendSplitTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    private MeshService Service(string name)
    {
        var time = new FakeTimeProvider();
        var telemetry = new Mesh.Telemetry.MeshTelemetry(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var dependencies = new MeshServiceDependencies(time, static () => 0.5, telemetry, new Mesh.Tap.MeshTap(time), new LoadBalancerRegistry([]), new FailureAccrualPolicyRegistry([]), NullLogger.Instance, n => throw new InvalidOperationException(n));
        return new MeshService(name, "outbound", new MeshServiceOptions(), dependencies);
    }

    private BackendSplit Split(params (string Name, int Weight)[] weights) =>
        BackendSplit.From(weights.ToDictionary(w => w.Name, w => w.Weight), Service("orders"), n => Service(n))!;

    [Theory]
    [InlineData(0.0, "orders-v1")]
    [InlineData(0.8999, "orders-v1")]
    [InlineData(0.9, "orders-v2")]
    [InlineData(0.99999, "orders-v2")]
    public void Pick_GivesEachBackendItsShareOfTheDraws(double draw, string backend)
    {
        Assert.Equal(backend, Split(("orders-v1", 90), ("orders-v2", 10)).Pick(draw).Name);
    }

    [Fact]
    public void Pick_NeverGivesAZeroWeightBackendADraw()
    {
        var split = Split(("a", 0), ("b", 3), ("c", 0));
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal("b", split.Pick(i / 1000.0).Name);
        }
    }

    [Fact]
    public void ABackendNamedAsTheServiceItself_IsThatService_AndOthersAreLookedUpOnFirstUse()
    {
        var orders = Service("orders");
        var looked = new List<string>();
        var split = BackendSplit.From(new Dictionary<string, int> { ["ORDERS"] = 9, ["orders-v2"] = 1 }, orders, n =>
        {
            looked.Add(n);
            return Service(n);
        })!;

        Assert.Same(orders, split.Pick(0).Service);
        Assert.Empty(looked);
        var v2 = split.Pick(0.95).Service;
        Assert.Same(v2, split.Pick(0.95).Service);
        Assert.Equal(["orders-v2"], looked);
    }

    [Fact]
    public void NoBackends_IsNoSplit() => Assert.Null(BackendSplit.From(new Dictionary<string, int>(), Service("orders"), null));

    [Fact]
    public void Validation_NamesTheKeyAndTheReason()
    {
        var errors = new ValidationErrors("Mesh:Services:orders");
        BackendSplit.Validate(new Dictionary<string, int> { ["orders-v1"] = -5, ["orders-v2"] = 0 }, "Backends", errors);

        Assert.Equal(
            [
                "Mesh:Services:orders:Backends:orders-v1 must be in [0, 1000000], was -5",
                "Mesh:Services:orders:Backends must give at least one backend a weight above 0",
            ],
            errors.ToResult().Failures);
    }
}
