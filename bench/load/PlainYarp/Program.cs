using Yarp.ReverseProxy.Configuration;

// A minimal YARP proxy: one catch-all route to one destination. `--Listen` and `--Backend` come from the command line.
var builder = WebApplication.CreateSlimBuilder(args);
var listen = builder.Configuration["Listen"] ?? "http://127.0.0.1:18083";
var backend = builder.Configuration["Backend"] ?? "http://127.0.0.1:18080/";
builder.WebHost.UseUrls(listen);

// The same log levels as the Mesh sidecar's appsettings.json, so neither logs per request, and neither makes ASP.NET
// Core's per-request activity and log scope (which it does whenever its hosting diagnostics log at any level).
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Yarp", LogLevel.Warning)
    .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "{**catch-all}" } }],
    [new ClusterConfig
    {
        ClusterId = "backend",
        Destinations = new Dictionary<string, DestinationConfig> { ["d1"] = new() { Address = backend } },
    }]);

var app = builder.Build();
app.MapReverseProxy();
app.Run();
