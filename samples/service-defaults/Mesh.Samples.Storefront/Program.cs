using Mesh.Samples.Storefront;
using Mesh.Samples.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

// A typed client like any other: nothing here mentions Mesh. "orders" is a logical name; its endpoints come from
// configuration (Services:orders:http:0, ..., or services__orders__http__0 in the environment, as Aspire injects them).
builder.Services.AddHttpClient<OrdersClient>(static client => client.BaseAddress = new Uri("http://orders"));

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGet("/checkout/{id:int}", static async (int id, OrdersClient orders, CancellationToken cancellationToken) =>
    new Checkout(id, await orders.GetAsync(id, cancellationToken)));
app.Run();
