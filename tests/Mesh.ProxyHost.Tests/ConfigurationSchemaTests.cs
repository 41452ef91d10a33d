using System.Text.Json;
using Mesh.ProxyHost.Configuration;

namespace Mesh.ProxyHost.Tests;

/// <summary>
/// The JSON schema editors validate configuration files against (appsettings.schema.json) describes exactly the keys
/// the options classes have: a setting added to one and not the other fails here. Durations are typed as durations.
/// </summary>
public class ConfigurationSchemaTests
{
    [Fact]
    public void TheSchema_AndTheOptionsClasses_NameTheSameKeys_AndTheSameDurations()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "appsettings.schema.json")));
        var defs = schema.RootElement.GetProperty("$defs");
        var documented = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        Walk("Mesh", schema.RootElement.GetProperty("properties").GetProperty("Mesh"), defs, documented);

        var options = SidecarConfigurationShape.Create().Leaves().ToDictionary(l => l.Key, l => l.IsDuration, StringComparer.OrdinalIgnoreCase);

        Assert.Equal(options.Keys.Order(StringComparer.OrdinalIgnoreCase), documented.Keys.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
        foreach (var (key, isDuration) in options)
        {
            Assert.True(documented[key] == isDuration, $"{key}: the options say {(isDuration ? "a duration" : "no duration")}, the schema the opposite");
        }
    }

    // Leaf keys of a schema object; "*" for additionalProperties and array items, as ConfigurationShape.Leaves names them.
    private static void Walk(string path, JsonElement node, JsonElement defs, Dictionary<string, bool> leaves)
    {
        var isDuration = false;
        if (node.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!["#/$defs/".Length..];
            isDuration = name == "duration";
            node = defs.GetProperty(name);
        }

        if (node.TryGetProperty("properties", out var properties))
        {
            foreach (var property in properties.EnumerateObject())
            {
                Walk($"{path}:{property.Name}", property.Value, defs, leaves);
            }
        }
        else if (node.TryGetProperty("additionalProperties", out var any) && any.ValueKind == JsonValueKind.Object)
        {
            Walk($"{path}:*", any, defs, leaves);
        }
        else if (node.TryGetProperty("items", out var items))
        {
            Walk($"{path}:*", items, defs, leaves);
        }
        else if (node.TryGetProperty("type", out var type) && type.GetString() == "object")
        {
            leaves[$"{path}:*"] = false;
        }
        else
        {
            leaves[path] = isDuration;
        }
    }
}
