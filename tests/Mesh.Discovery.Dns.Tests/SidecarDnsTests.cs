using System.Net;
using Mesh.Discovery.Dns.Tests.Infrastructure;
using Mesh.ProxyHost;
using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Discovery.Dns.Tests;

/// <summary>The sidecar with <c>Mesh:Discovery:Dns</c> in its configuration: mapped services resolve through DNS, nothing else does.</summary>
public class SidecarDnsTests
{
    private const string Orders = "_http._tcp.orders.default.svc.cluster.local";

    [DnsmasqFact]
    public async Task Sidecar_ForwardsAServiceMappedInDns_AndLooksUpNoOtherName()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var dns = await Dnsmasq.StartAsync([new Srv(Orders, "a.test", backend.Port)], [("a.test", "127.0.0.1")]);
        var app = ProxyApp.Build(
        [
            "--Mesh:Proxy:Outbound:Listen=127.0.0.1:0",
            "--Mesh:Proxy:Outbound:ListenHttp2=",
            "--Mesh:Proxy:Inbound:Listen=",
            "--Mesh:Admin:Listen=127.0.0.1:0",
            $"--Mesh:Discovery:Dns:Servers:0={dns.Server}",
            "--Mesh:Discovery:Dns:Services:orders=",
            "--Mesh:Discovery:Dns:Timeout=00:00:00.500",
            "--hostBuilder:reloadConfigOnChange=false",
        ], builder =>
        {
            builder.Logging.ClearProviders();
            builder.WebHost.UseSetting("urls", "");
        });
        await using (app)
        {
            await app.StartAsync();
            var port = app.Services.GetRequiredService<Listeners>().Ports(Listeners.Outbound)[0];
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

            using var orders = new HttpRequestMessage(HttpMethod.Get, "/work") { Headers = { Host = "orders" } };
            using var ordersResponse = await client.SendAsync(orders);
            Assert.Equal(HttpStatusCode.OK, ordersResponse.StatusCode);
            Assert.Equal(1, backend.Requests);

            // Not mapped: refused before any lookup, whatever the naming rule would have made of it.
            using var payments = new HttpRequestMessage(HttpMethod.Get, "/work") { Headers = { Host = "payments" } };
            using var paymentsResponse = await client.SendAsync(payments);
            Assert.Equal(HttpStatusCode.NotFound, paymentsResponse.StatusCode);

            await dns.FlushLogAsync();
            Assert.All(dns.Queries, q => Assert.Contains($"query[SRV] {Orders} from", q, StringComparison.Ordinal));
            Assert.NotEmpty(dns.Queries);
            await app.StopAsync();
        }
    }

    [Fact]
    public void SidecarValidation_ReportsDnsErrorsWithTheRest()
    {
        var ex = Assert.Throws<InvalidConfigurationException>(() => ProxyApp.Build(
        [
            "--Mesh:Proxy:Outbound:Listen=nowhere",
            "--Mesh:Discovery:Dns:Services:orders=orders.example",
            "--Mesh:Discovery:Dns:MinTtl=00:00:00",
            "--hostBuilder:reloadConfigOnChange=false",
        ], builder => builder.Logging.ClearProviders()));

        Assert.Contains("Mesh:Proxy:Outbound:Listen", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Mesh:Discovery:Dns:Services:orders must be empty (the naming rule)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Mesh:Discovery:Dns:MinTtl must be greater than zero", ex.Message, StringComparison.Ordinal);
    }
}
