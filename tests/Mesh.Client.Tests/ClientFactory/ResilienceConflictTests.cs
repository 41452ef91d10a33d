extern alias PollyV7;
using System.Net;
using Mesh.Client.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PollyV7::Polly;

namespace Mesh.Client.Tests.ClientFactory;

/// <summary>
/// Mesh and another retry layer on one client (Microsoft.Extensions.Http.Resilience's handlers, a Polly v7 policy
/// handler) stop the application at start, with a message naming the client, why (attempts multiply) and how to choose;
/// whatever the order, and in Aspire's service-defaults form. Choosing Mesh as the message says starts, and retries once.
/// </summary>
public class ResilienceConflictTests
{
    public static TheoryData<string> Stacks =>
    [
        "defaults: AddStandardResilienceHandler, AddServiceDiscovery, AddMesh",
        "defaults: AddStandardResilienceHandler; client: AddMesh",
        "client: AddMesh, AddStandardResilienceHandler",
        "client: AddStandardHedgingHandler, AddMesh",
        "client: AddMesh, AddTransientHttpErrorPolicy",
    ];

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task MeshWithAnotherRetryLayer_FailsAtStart_SayingWhyAndHowToChoose(string stack)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => MeshClientHost.StartAsync(
            new Dictionary<string, string?> { ["Services:orders:http:0"] = "http://127.0.0.1:9" },
            services =>
            {
                var client = services.AddHttpClient("orders", static c => c.BaseAddress = new Uri("http://orders"));
                switch (stack)
                {
                    case "defaults: AddStandardResilienceHandler, AddServiceDiscovery, AddMesh":
                        // Aspire's service defaults, with AddMesh added to them.
                        services.ConfigureHttpClientDefaults(static http =>
                        {
                            http.AddStandardResilienceHandler();
                            http.AddServiceDiscovery();
                            http.AddMesh();
                        });
                        break;
                    case "defaults: AddStandardResilienceHandler; client: AddMesh":
                        services.ConfigureHttpClientDefaults(static http => http.AddStandardResilienceHandler());
                        client.AddMesh("orders");
                        break;
                    case "client: AddMesh, AddStandardResilienceHandler":
                        client.AddMesh().AddStandardResilienceHandler();
                        break;
                    case "client: AddStandardHedgingHandler, AddMesh":
                        client.AddStandardHedgingHandler();
                        client.AddMesh("orders");
                        break;
                    default:
                        client.AddMesh().AddTransientHttpErrorPolicy(static p => p.RetryAsync(3));
                        break;
                }
            },
            service: null));

        // With the defaults, every client has both: the unnamed one is reported too.
        Assert.All(error.Failures, f => Assert.StartsWith("Mesh: the HttpClient ", f));
        Assert.Equal(stack.StartsWith("defaults: AddStandardResilienceHandler, ", StringComparison.Ordinal) ? 2 : 1, error.Failures.Count());
        var message = Assert.Single(error.Failures, f => f.Contains("'orders'", StringComparison.Ordinal));
        Assert.StartsWith("Mesh: the HttpClient 'orders' has both Mesh (AddMesh) and a ", message);
        Assert.Contains(stack.Contains("Transient", StringComparison.Ordinal) ? "AddTransientHttpErrorPolicy" : "AddStandardResilienceHandler", message);
        Assert.Contains("one call may make 12 attempts", message);
        Assert.Contains("RemoveAllResilienceHandlers() on this client before AddMesh()", message);
        Assert.Contains("remove AddMesh() from this client", message);
    }

    [Fact]
    public async Task EveryClientMeshedByDefault_IsChecked_OnlyTheOneWithASecondLayerFails()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => MeshClientHost.StartAsync(
            new Dictionary<string, string?>(),
            static services =>
            {
                services.ConfigureHttpClientDefaults(static http => http.AddMesh());
                services.AddHttpClient("billing").AddStandardResilienceHandler();
                services.AddHttpClient("orders");
            },
            service: null));

        Assert.StartsWith("Mesh: the HttpClient 'billing' has both", Assert.Single(error.Failures));
    }

    [Fact]
    public async Task ChoosingMesh_ByRemovingTheDefaultsResilienceHandler_Starts_AndMeshAloneRetries()
    {
        await using var failing = await TestBackend.StartAsync(status: 503);
        await using var host = await MeshClientHost.StartAsync(MeshClientHost.EndpointConfig("orders", [failing]), static services =>
        {
            services.ConfigureHttpClientDefaults(static http => http.AddStandardResilienceHandler());
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental in Microsoft.Extensions.Http.Resilience.
            services.AddHttpClient("orders", static c => c.BaseAddress = new Uri("http://orders")).RemoveAllResilienceHandlers().AddMesh();
#pragma warning restore EXTEXP0001
        }, service: null);

        using var response = await host.CreateClient("orders").GetAsync("/orders/42");

        // The call and Mesh's 2 retries; the standard handler's 3 retries over them would have made 12.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(3, failing.Requests);
    }
}
