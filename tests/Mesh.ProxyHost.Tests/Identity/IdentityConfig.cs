using System.Text.Json;

namespace Mesh.ProxyHost.Tests.Identity;

/// <summary>Reads the sidecar's identity where operators read it: the <c>identity</c> section of <c>/config</c>.</summary>
internal static class IdentityConfig
{
    public static async Task<JsonElement> IdentityAsync(this Sidecar sidecar)
    {
        using var config = JsonDocument.Parse(await sidecar.GetAdminAsync("/config"));
        return config.RootElement.GetProperty("identity").Clone();
    }
}
