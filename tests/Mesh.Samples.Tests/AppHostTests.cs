using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Mesh.Samples.Tests;

/// <summary>
/// The sample's Aspire app host, run by Aspire.Hosting.Testing with its orchestrator (DCP, from its NuGet package):
/// orders and storefront as Aspire starts them, storefront given orders' endpoint by <c>WithReference</c>; a checkout
/// reaches orders through Mesh.
/// </summary>
public class AppHostTests
{
    [Fact]
    public async Task TheAppHost_StartsBothServices_AndCheckoutReachesOrdersThroughMesh()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Mesh_Samples_AppHost>(bound.Token);
        await using var app = await builder.BuildAsync(bound.Token);
        await app.StartAsync(bound.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("storefront", bound.Token);
        using var http = app.CreateHttpClient("storefront");

        var checkout = await http.GetFromJsonAsync<JsonElement>("/checkout/7", bound.Token);

        Assert.Equal(7, checkout.GetProperty("order").GetProperty("id").GetInt32());
        Assert.StartsWith("orders on port ", checkout.GetProperty("order").GetProperty("servedBy").GetString());
        var stats = await http.GetFromJsonAsync("/mesh/stats", Mesh.Admin.MeshAdminJsonContext.Default.StatsDocument, bound.Token);
        Assert.Equal(1, Assert.Single(stats!.Services, s => s is { Service: "orders", Direction: "outbound" }).Requests.Count);
    }
}
