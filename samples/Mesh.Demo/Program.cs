using Mesh.Configuration;
using Mesh.Demo;
using Microsoft.Extensions.Options;

// The README's first command: three loopback backends behind one Mesh client, and Mesh's own metrics, live.
const string Service = "orders";
const int Concurrency = 8;

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

using var stopping = new CancellationTokenSource(arguments.Duration);
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

// 3. Traffic until --duration passes or Ctrl-C, and the table once a second meanwhile.
var traffic = new TrafficDriver(client, Concurrency);
var table = new LiveTable(backends, arguments.Duration, Concurrency, PolicyLine.Describe(Service, options));
table.Start();
var started = TimeProvider.System.GetTimestamp();
var running = traffic.RunAsync(stopping.Token);
metrics.TakeWindow();
using (var tick = new PeriodicTimer(TimeSpan.FromSeconds(1)))
{
    while (await NextTickAsync(tick, stopping.Token))
    {
        table.Draw(metrics.TakeWindow(), TimeProvider.System.GetElapsedTime(started));
    }
}

await running;
var elapsed = TimeProvider.System.GetElapsedTime(started);
Console.CancelKeyPress -= stopOnCtrlC.OnCancelKeyPress;

// 4. The whole run, and what it shows.
new RunSummary(backends, options.LoadBalancer).Print(metrics.TakeTotals(), traffic, elapsed);
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
