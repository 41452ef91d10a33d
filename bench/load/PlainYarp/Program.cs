using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

// A minimal YARP proxy: one catch-all route to one destination. `--Listen` and `--Backend` come from the command line;
// `--Http2=true` makes it an h2c proxy (cleartext HTTP/2 with prior knowledge on both sides), as gRPC is proxied.
var builder = WebApplication.CreateSlimBuilder(args);
var listen = builder.Configuration["Listen"] ?? "http://127.0.0.1:18083";
var backend = builder.Configuration["Backend"] ?? "http://127.0.0.1:18080/";
var http2 = builder.Configuration["Http2"] == "true";
builder.WebHost.UseUrls(listen);
if (http2)
{
    builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(o => o.Protocols = HttpProtocols.Http2));
}

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
        HttpRequest = http2 ? new ForwarderRequestConfig { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact } : null,
    }]);

var app = builder.Build();
app.MapReverseProxy();
app.Run();
