using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Mesh.ProxyHost;
using Mesh.ProxyHost.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Mesh.Dashboard.Tests;

/// <summary>
/// The sidecar's dashboard in a real browser (Debian's Chromium driven by Playwright): after known traffic it shows the
/// services and endpoints with numbers that agree with /stats, its charts update, and the tap view streams only the
/// requests that match its filter.
/// </summary>
public sealed class DashboardTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly List<IAsyncDisposable> _disposables = [];
    private WebApplication _sidecar = null!;
    private string _admin = "";
    private int _outbound;
    private TcpListener _tcp = null!;

    public async Task InitializeAsync()
    {
        var ok = await StartBackendAsync(200);
        var failing = await StartBackendAsync(503);
        _tcp = new TcpListener(IPAddress.Loopback, 0);
        _tcp.Start();
        _ = ServeTcpAsync(_tcp);
        var folder = Directory.CreateTempSubdirectory("mesh-dashboard-").FullName;
        var config = Path.Combine(folder, "mesh.json");
        await File.WriteAllTextAsync(config, $$"""
        {
          "Mesh": {
            "Proxy": { "Outbound": { "Listen": "127.0.0.1:0", "ListenHttp2": "" }, "Inbound": { "Listen": "" }, "DrainDelay": "00:00:00" },
            "Admin": { "Listen": "127.0.0.1:0" },
            "Services": { "orders": { "Routes": { "list-orders": { "Match": { "PathPrefix": "/api/orders" } } } } }
          },
          "Services": { "orders": { "http": [ "{{ok}}" ] }, "billing": { "http": [ "{{failing}}" ] }, "cache": { "http": [ "http://{{_tcp.LocalEndpoint}}" ] } }
        }
        """);
        _sidecar = ProxyApp.Build([$"--Mesh:ConfigFile={config}", "--hostBuilder:reloadConfigOnChange=false"], b => b.Logging.ClearProviders());
        await _sidecar.StartAsync();
        var listeners = _sidecar.Services.GetRequiredService<Listeners>();
        _outbound = listeners.Ports(Listeners.Outbound)[0];
        _admin = $"http://127.0.0.1:{listeners.Ports(Listeners.Admin)[0]}";
    }

    public async Task DisposeAsync()
    {
        _tcp.Stop();
        await _sidecar.StopAsync();
        await _sidecar.DisposeAsync();
        foreach (var d in _disposables)
        {
            await d.DisposeAsync();
        }
    }

    private async Task<string> StartBackendAsync(int status)
    {
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(ctx =>
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        _disposables.Add(app);
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    private async Task SendAsync(string service, string path, int count)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{_outbound}") };
        client.DefaultRequestHeaders.Host = service;
        for (var i = 0; i < count; i++)
        {
            using var _ = await client.GetAsync(path);
        }
    }

    // A server of no protocol at all: reads to the client's FIN, answers "bye", closes.
    private static async Task ServeTcpAsync(TcpListener listener)
    {
        try
        {
            while (true)
            {
                using var socket = await listener.AcceptSocketAsync();
                var buffer = new byte[1024];
                while (await socket.ReceiveAsync(buffer) > 0)
                {
                }

                await socket.SendAsync("bye"u8.ToArray());
                socket.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    // Through a CONNECT tunnel to service "cache": binary bytes, so the sidecar forwards them as opaque TCP.
    private async Task SendTcpAsync()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _outbound);
        await socket.SendAsync("CONNECT cache:6000 HTTP/1.1\r\nHost: cache:6000\r\n\r\n"u8.ToArray());
        var head = new byte[39];
        await socket.ReceiveAsync(head); // HTTP/1.1 200 Connection established, and the blank line
        await socket.SendAsync(new byte[] { 0, 1, 2, 3, 4 });
        socket.Shutdown(SocketShutdown.Send);
        var buffer = new byte[64];
        while (await socket.ReceiveAsync(buffer) > 0)
        {
        }
    }

    private static async Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });

    [Fact]
    public async Task Dashboard_ShowsServicesAndEndpoints_ConsistentWithStats_ChartsUpdate_TapFilters()
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium is required (test.sh installs it)");
        await SendAsync("orders", "/api/orders", 20);
        await SendAsync("orders", "/api/health", 4);
        await SendAsync("billing", "/api/bills", 6);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var external = new List<string>();
        page.Request += (_, r) =>
        {
            if (!r.Url.StartsWith(_admin, StringComparison.Ordinal))
            {
                external.Add(r.Url);
            }
        };
        await page.GotoAsync(_admin + "/");

        // Everything below is read over a minute, in the page and from /stats alike, so a slow start of the browser on a
        // busy machine cannot let the traffic leave the window (the default 10 s did once on CI: '–' for no requests).
        await page.SelectOptionAsync("#window", "1m");
        using var stats = JsonDocument.Parse(await new HttpClient().GetStringAsync(_admin + "/stats?window=1m"));

        // The services table lists both services with the request counts /stats reports.
        var orders = page.Locator("#services tbody tr[data-service=orders]");
        await Assertions.Expect(orders).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#services tbody tr[data-service=billing]")).ToHaveCountAsync(1);
        var ordersStats = stats.RootElement.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("service").GetString() == "orders");
        var rate = ordersStats.GetProperty("requests").GetProperty("per_second").GetDouble();
        await Assertions.Expect(orders.Locator("td").Nth(2)).ToHaveTextAsync(rate.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(orders.Locator("td").Nth(3)).ToHaveTextAsync("100.00%");
        await Assertions.Expect(page.Locator("#services tbody tr[data-service=billing] td").Nth(3)).ToHaveTextAsync("0.00%");

        // This sidecar has no identity: nothing about one in the header.
        await Assertions.Expect(page.Locator("#identity")).ToBeHiddenAsync();

        // Each service's endpoint is listed with its state.
        var ordersEndpoint = ordersStats.GetProperty("endpoints")[0].GetProperty("endpoint").GetString()!;
        await Assertions.Expect(page.Locator($"#endpoints tbody tr[data-endpoint='{ordersEndpoint}'] td").Nth(2)).ToHaveTextAsync("ready");

        // A route table per service: orders' configured route and its unrouted requests, billing's, with /stats' numbers.
        var ordersRoutes = page.Locator("table.routes[data-service=orders][data-direction=outbound] tbody tr");
        await Assertions.Expect(ordersRoutes).ToHaveCountAsync(2);
        var listOrders = ordersStats.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("route").GetString() == "list-orders");
        Assert.Equal(20, listOrders.GetProperty("requests").GetProperty("count").GetInt64());
        await Assertions.Expect(page.Locator("table.routes[data-service=orders] tr[data-route=list-orders] td").Nth(1))
            .ToHaveTextAsync(listOrders.GetProperty("requests").GetProperty("per_second").GetDouble().ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("table.routes[data-service=orders] tr[data-route=list-orders] td").Nth(2)).ToHaveTextAsync("100.00%");
        var unrouted = ordersStats.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("route").GetString() == "default");
        Assert.Equal(4, unrouted.GetProperty("requests").GetProperty("count").GetInt64());
        await Assertions.Expect(page.Locator("table.routes[data-service=orders] tr[data-route=default] td").Nth(1))
            .ToHaveTextAsync(unrouted.GetProperty("requests").GetProperty("per_second").GetDouble().ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("table.routes[data-service=billing] tr[data-route=default] td").Nth(2)).ToHaveTextAsync("0.00%");

        // The charts are redrawn every second: the number of points grows.
        var chart = page.Locator("#success-chart");
        var before = int.Parse(await chart.GetAttributeAsync("data-points") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(chart).Not.ToHaveAttributeAsync("data-points", before.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Tap: filter on billing's 5xx; only matching rows stream in.
        await page.FillAsync("#tap-form input[name=service]", "billing");
        await page.FillAsync("#tap-form input[name=status]", "5xx");
        await page.ClickAsync("#tap-start");
        await Assertions.Expect(page.Locator("#tap-stop")).ToBeEnabledAsync();
        await SendAsync("orders", "/api/orders", 5);
        await SendAsync("billing", "/api/bills", 3);
        var rows = page.Locator("#tap tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        for (var i = 0; i < 3; i++)
        {
            await Assertions.Expect(rows.Nth(i)).ToHaveAttributeAsync("data-status", "503");
            await Assertions.Expect(rows.Nth(i)).ToHaveAttributeAsync("data-path", "/api/bills");
        }

        var screenshot = Path.Combine(AppContext.BaseDirectory, "dashboard.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        Assert.Empty(external);

        // Keep the picture README shows up to date.
        File.Copy(screenshot, Path.Combine(Repository.Root, "docs", "dashboard.png"), overwrite: true);
    }

    [Fact]
    public async Task Dashboard_ShowsTcpConnections_AndTheTapShowsOneWhenItCloses()
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium is required (test.sh installs it)");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        await page.GotoAsync(_admin + "/");

        // No TCP yet: no TCP table.
        await Assertions.Expect(page.Locator("#tcp-section")).ToBeHiddenAsync();

        await page.FillAsync("#tap-form input[name=service]", "cache");
        await page.ClickAsync("#tap-start");
        await Assertions.Expect(page.Locator("#tap-stop")).ToBeEnabledAsync();
        await SendTcpAsync();

        var tcp = page.Locator("#tcp tbody tr[data-service=cache]");
        await Assertions.Expect(tcp).ToHaveCountAsync(1);
        await Assertions.Expect(tcp.Locator("td").Nth(2)).ToHaveTextAsync("0"); // active
        await Assertions.Expect(tcp.Locator("td").Nth(3)).ToHaveTextAsync("1"); // opened
        await Assertions.Expect(tcp.Locator("td").Nth(5)).ToHaveTextAsync("0"); // failed

        var tapped = page.Locator("#tap tbody tr");
        await Assertions.Expect(tapped).ToHaveCountAsync(1);
        await Assertions.Expect(tapped.Locator("td").Nth(3)).ToHaveTextAsync("TCP");
        await Assertions.Expect(tapped).ToHaveAttributeAsync("data-status", "closed");
        await Assertions.Expect(tapped.Locator("td").Nth(8)).ToHaveTextAsync("tx 5 B, rx 3 B closed");
    }
}
