namespace Mesh.Client.ClientFactory;

/// <summary>How messages name an HttpClient.</summary>
internal static class ClientNames
{
    /// <summary>Gets <paramref name="client"/> quoted, or what the default client is when it has no name.</summary>
    public static string Describe(string client) => client.Length == 0 ? "'' (the default, unnamed client)" : $"'{client}'";
}
