using Mesh.Pipeline;
using Mesh.Stats;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Core.Tests.Stats;

/// <summary>
/// <see cref="MeshStats"/>, the public reader of what <c>GET /stats</c> serves (Mesh.AspNetCore reads it there instead
/// of Mesh.Core's internals): a refused call to <c>orders</c> shows in its figures, the window is rounded up to the
/// one-second slots statistics are kept in, a service filter ignores case, and a window out of (0, 1 min] is refused.
/// </summary>
public class MeshStatsTests
{
    [Fact]
    public async Task Read_ReportsAServicesRequests_OverTheWindowRoundedToWholeSeconds()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                // Nothing listens on port 1: the call is refused, and counted.
                ["Services:orders:http:0"] = "http://127.0.0.1:1",
                ["Mesh:Services:orders:Retry:MaxRetries"] = "0",
            })
            .Build();
        await using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddMeshCore().BuildServiceProvider();
        var factory = provider.GetRequiredService<MeshHttpHandlerFactory>();
        var handler = factory.CreateHandler("orders");
        handler.InnerHandler = factory.CreatePrimaryHandler(handler);
        using var client = new HttpClient(handler);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync(new Uri("http://orders/items")));

        var stats = provider.GetRequiredService<MeshStats>().Read(TimeSpan.FromSeconds(9.2), " ORDERS ");

        Assert.Equal(10, stats.WindowSeconds);
        var orders = Assert.Single(stats.Services);
        Assert.Equal("orders", orders.Service);
        Assert.Equal(1, orders.Requests.Count);
        Assert.Equal(0, orders.Requests.SuccessRate);
        Assert.Empty(provider.GetRequiredService<MeshStats>().Read(TimeSpan.FromSeconds(10), "billing").Services);
        Assert.Empty(stats.Tcp!);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(61)]
    public async Task Read_RefusesAWindowOutsideZeroToAMinute(double seconds)
    {
        var configuration = new ConfigurationBuilder().Build();
        await using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddMeshCore().BuildServiceProvider();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => provider.GetRequiredService<MeshStats>().Read(TimeSpan.FromSeconds(seconds)));
        Assert.Equal("window", error.ParamName);
    }
}
