using Mesh.Configuration;
using Mesh.Demo;
using Microsoft.Extensions.Options;

// The README's first command: three loopback backends behind one Mesh client and one Mesh sidecar (Mesh.ProxyHost,
// in-process), and Mesh's own metrics, live.
const string Service = "orders";
const int Concurrency = 8;
const int SidecarCallers = 2; // of the 8 callers, these call as an app in another language would: through the sidecar

var arguments = DemoArguments.Parse(args);
if (arguments.ShowHelp || arguments.Error is not null)
{
    if (arguments.Error is not null)
    {
        Console.Error.WriteLine(arguments.Error);
    }

    (arguments.Error is null ? Console.Out : Console.Error).WriteLine(DemoArguments.Usage);
    return arguments.Error is null ? 0 : 2;
}

// Ctrl-C stops from now on; --duration counts from when traffic starts, below.
using var stopping = new CancellationTokenSource();
var stopOnCtrlC = new CtrlCStopper(stopping);
Console.CancelKeyPress += stopOnCtrlC.OnCancelKeyPress;

// 1. The backends: real Kestrel servers on free loopback ports.
await using var backends = await DemoBackends.StartAsync(CancellationToken.None);

// 2. The client: endpoints from configuration (Microsoft.Extensions.ServiceDiscovery), Mesh's defaults for the rest.
//    Mesh's meter is listened to from the start, as an exporter would.
using var metrics = new MeshMetricsWindow();
var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);

// Mesh logs each ejection as a warning; the table reports them from mesh.endpoint.ejections instead.
builder.Logging.AddFilter("Mesh", LogLevel.Error);
builder.Configuration.AddInMemoryCollection(backends.ToConfiguration(Service));
builder.Services.AddMeshClient(Service);
using var host = builder.Build();
await host.StartAsync(CancellationToken.None);
var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(Service);
var options = host.Services.GetRequiredService<IOptionsMonitor<MeshServiceOptions>>().Get(Service);

// 3. The sidecar, as a service in another language would run it: Mesh.ProxyHost for the same "orders" and backends,
//    on free loopback ports, called by a plain HttpClient (no Mesh) with "Host: orders". Its Mesh runtime is its own
//    (balancer, retry budget, failure accrual) and records into a meter named "Mesh" too, so its attempts show below.
await using var sidecar = await DemoSidecar.StartAsync(backends, Service, CancellationToken.None);
metrics.SidecarMeterScope = sidecar.MeterScope;
using var plainClient = sidecar.CreatePlainClient(Service);
var sidecarLine = Text.Format(
    "Sidecar (Mesh.ProxyHost, in-process): {0} callers send GET {1}work with \"Host: {2}\"; its metrics: {3}metrics",
    SidecarCallers, sidecar.Outbound, Service, sidecar.Admin);

// The sidecar's dashboard (its admin listener's root): live stats and a request tap, served until the demo ends.
var dashboardLine = Text.Format("Dashboard: {0}    (the sidecar's live stats and request tap; open it while the demo runs)", sidecar.Admin);
Console.WriteLine(dashboardLine);

// 4. Traffic until --duration passes or Ctrl-C, and the table once a second meanwhile.
var traffic = new TrafficDriver(client, Concurrency - SidecarCallers);
var viaSidecar = new TrafficDriver(plainClient, SidecarCallers);
var table = new LiveTable(backends, arguments.Duration, Concurrency - SidecarCallers, SidecarCallers, PolicyLine.Describe(Service, options), sidecarLine, dashboardLine);
table.Start();
stopping.CancelAfter(arguments.Duration);
var started = TimeProvider.System.GetTimestamp();
var running = Task.WhenAll(traffic.RunAsync(stopping.Token), viaSidecar.RunAsync(stopping.Token));
metrics.TakeWindow();
viaSidecar.TakeWindow();
using (var tick = new PeriodicTimer(TimeSpan.FromSeconds(1)))
{
    while (await NextTickAsync(tick, stopping.Token))
    {
        table.Draw(metrics.TakeWindow(), TimeProvider.System.GetElapsedTime(started), viaSidecar.TakeWindow());
    }
}

await running;
var elapsed = TimeProvider.System.GetElapsedTime(started);
Console.CancelKeyPress -= stopOnCtrlC.OnCancelKeyPress;

// 5. The whole run, and what it shows.
new RunSummary(backends, options.LoadBalancer).Print(metrics.TakeTotals(), traffic, viaSidecar, elapsed);
await host.StopAsync(CancellationToken.None);
return 0;

static async Task<bool> NextTickAsync(PeriodicTimer tick, CancellationToken stopping)
{
    try
    {
        return await tick.WaitForNextTickAsync(stopping);
    }
    catch (OperationCanceledException)
    {
        return false;
    }
}
