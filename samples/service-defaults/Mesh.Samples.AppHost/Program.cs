var builder = DistributedApplication.CreateBuilder(args);

var orders = builder.AddProject<Projects.Mesh_Samples_Orders>("orders")
    .WithHttpEndpoint()
    .WithHttpHealthCheck("/health");

// On a fixed port, to call it by hand: curl http://localhost:5180/checkout/42 (tests get a random one).
builder.AddProject<Projects.Mesh_Samples_Storefront>("storefront")
    .WithHttpEndpoint(port: 5180)
    .WithHttpHealthCheck("/health")
    .WithReference(orders)
    .WaitFor(orders);

builder.Build().Run();
