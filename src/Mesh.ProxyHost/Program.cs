// Mesh.ProxyHost: the sidecar. For now it hosts the Mesh.Core runtime and the loopback admin
// port's liveness and readiness; the outbound and inbound listeners arrive with the sidecar issue.
var builder = WebApplication.CreateSlimBuilder(args);
var adminListen = builder.Configuration["Mesh:Admin:Listen"] ?? "127.0.0.1:4191";
builder.WebHost.UseUrls($"http://{adminListen}");
builder.Services.AddMeshCore();

var app = builder.Build();
app.MapGet("/live", static () => Results.Text("live\n"));
app.MapGet("/ready", static () => Results.Text("ready\n"));
app.Run();
