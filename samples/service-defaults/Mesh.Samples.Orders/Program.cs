using Mesh.Samples.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGet("/orders/{id:int}", static (int id, HttpContext context) => new Order(id, $"orders on port {context.Connection.LocalPort}"));
app.Run();

internal sealed record Order(int Id, string ServedBy);
