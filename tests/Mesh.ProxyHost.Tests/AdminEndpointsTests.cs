using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mesh.ProxyHost.Tests;

/// <summary>The sidecar's own admin endpoints; <c>/stats</c> and <c>/tap</c> are shared with MapMeshAdmin and tested with the CLI and the dashboard.</summary>
public partial class AdminEndpointsTests
{
    // As /config has written it from the start: ToString("O") (seven fraction digits), the '+' escaped.
    [GeneratedRegex(@"""at"": ""\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\\u002B00:00""")]
    private static partial Regex RoundTripUtc();

    [Fact]
    public async Task Config_ShowsTheLastReload_MeshsSections_AndEachServicesEndpoints()
    {
        await using var backend = await TestBackend.StartAsync(200);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [backend.Url] }, """{ "orders": { "Retry": { "MaxRetries": 2 } } }"""));
        using (var client = sidecar.OutboundClient("orders"))
        {
            using var response = await client.GetAsync("/work");
        }

        var text = await sidecar.GetAdminAsync("/config");
        using var json = JsonDocument.Parse(text);

        // Indented, for a person with curl.
        Assert.Contains("\n  \"reload\": {\n    \"state\": \"loaded\",", text, StringComparison.Ordinal);
        var reload = json.RootElement.GetProperty("reload");
        Assert.Matches(RoundTripUtc(), text);
        Assert.Empty(reload.GetProperty("errors").EnumerateArray());
        // The configuration keeps configuration's own names and string values.
        var configuration = json.RootElement.GetProperty("configuration");
        Assert.Equal("2", configuration.GetProperty("Mesh").GetProperty("Services").GetProperty("orders").GetProperty("Retry").GetProperty("MaxRetries").GetString());
        Assert.Equal(backend.Url, configuration.GetProperty("Services").GetProperty("orders").GetProperty("http").GetProperty("0").GetString());
        var endpoint = Assert.Single(json.RootElement.GetProperty("endpoints").GetProperty("orders").EnumerateArray());
        Assert.Equal(new Uri(backend.Url).ToString(), endpoint.GetProperty("address").GetString());
        Assert.Equal("ready", endpoint.GetProperty("state").GetString());
    }
}
