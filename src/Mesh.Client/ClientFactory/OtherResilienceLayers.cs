namespace Mesh.Client.ClientFactory;

/// <summary>
/// Recognises the handlers of the other resilience libraries for <c>HttpClient</c>, which Mesh refuses to stack with:
/// each retries (and times out) on its own, so one above Mesh retries every call Mesh has already retried. Known by
/// type name, so Mesh.Client depends on neither library.
/// </summary>
internal static class OtherResilienceLayers
{
    // Microsoft.Extensions.Http.Resilience: AddStandardResilienceHandler, AddStandardHedgingHandler, AddResilienceHandler.
    private const string ResilienceHandler = "Microsoft.Extensions.Http.Resilience.ResilienceHandler";

    // Microsoft.Extensions.Http.Polly (Polly v7): AddPolicyHandler, AddTransientHttpErrorPolicy.
    private const string PolicyHandler = "Microsoft.Extensions.Http.PolicyHttpMessageHandler";

    /// <summary>Gets what the user called to add <paramref name="handler"/>, or null when it is no resilience layer.</summary>
    public static string? NameOf(DelegatingHandler handler)
    {
        for (var type = handler.GetType(); type is not null && type != typeof(DelegatingHandler); type = type.BaseType)
        {
            switch (type.FullName)
            {
                case ResilienceHandler:
                    return "a resilience handler (AddStandardResilienceHandler, AddStandardHedgingHandler or AddResilienceHandler, Microsoft.Extensions.Http.Resilience)";
                case PolicyHandler:
                    return "a Polly policy handler (AddPolicyHandler or AddTransientHttpErrorPolicy, Microsoft.Extensions.Http.Polly)";
            }
        }

        return null;
    }

    /// <summary>The start-up error for a client that has both, saying why and how to choose.</summary>
    public static string Conflict(string client, string layer) =>
        $"Mesh: the HttpClient {ClientNames.Describe(client)} has both Mesh (AddMesh) and {layer}. Both retry and time out, and the outer layer " +
        "retries every call the inner one has already retried: with the standard resilience handler's 3 retries over Mesh's 2, one call may " +
        "make 12 attempts, and its timeouts cut across Mesh's deadlines. Choose one for this client. To keep Mesh (retries under a budget, " +
        "deadlines, failure accrual, per service under Mesh:Services), remove the other handler from it; where it comes from " +
        "ConfigureHttpClientDefaults, put AddMesh() there instead, or call RemoveAllResilienceHandlers() on this client before AddMesh(). " +
        "To keep the other handler, remove AddMesh() from this client.";
}
