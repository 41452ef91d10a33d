using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Admin;

namespace Mesh.Samples.Tests;

/// <summary>
/// samples/service-defaults run as it would be: orders (two instances) and storefront as processes, storefront told
/// where orders is in the environment form Aspire injects (<c>services__orders__http__0</c>); storefront's typed client,
/// meshed by <c>ConfigureHttpClientDefaults(http =&gt; http.AddMesh())</c>, reaches orders through Mesh.
/// </summary>
public class ServiceDefaultsSampleTests
{
    [Fact]
    public async Task Checkout_CallsOrders_ThroughMesh_WithEndpointsInTheFormAspireInjects()
    {
        await using var orders1 = await SampleProcess.StartAsync("Mesh.Samples.Orders");
        await using var orders2 = await SampleProcess.StartAsync("Mesh.Samples.Orders");
        await using var storefront = await SampleProcess.StartAsync("Mesh.Samples.Storefront", new Dictionary<string, string>
        {
            ["services__orders__http__0"] = orders1.Url,
            ["services__orders__http__1"] = orders2.Url,
        });
        using var http = new HttpClient { BaseAddress = new Uri(storefront.Url) };

        var servedBy = new HashSet<string>();
        for (var i = 0; i < 10; i++)
        {
            var checkout = await http.GetFromJsonAsync<JsonElement>("/checkout/42");
            Assert.Equal(42, checkout.GetProperty("order").GetProperty("id").GetInt32());
            servedBy.Add(checkout.GetProperty("order").GetProperty("servedBy").GetString()!);
        }

        // Each answer came from one of the two instances; Mesh's own account has every call, over both endpoints.
        var ports = new[] { new Uri(orders1.Url).Port, new Uri(orders2.Url).Port }.Select(p => $"orders on port {p}").ToList();
        Assert.All(servedBy, s => Assert.Contains(s, ports));
        var stats = await http.GetFromJsonAsync("/mesh/stats", MeshAdminJsonContext.Default.StatsDocument);
        var orders = Assert.Single(stats!.Services, s => s is { Service: "orders", Direction: "outbound" });
        Assert.Equal(10, orders.Requests.Count);
        Assert.Equal(2, orders.Endpoints.Count);
    }
}
