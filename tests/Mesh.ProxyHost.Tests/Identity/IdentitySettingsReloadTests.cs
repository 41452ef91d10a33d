using System.Text.Json;
using Mesh.ProxyHost.Testing.Identity;

namespace Mesh.ProxyHost.Tests.Identity;

/// <summary>
/// The identity files' names and Mesh:Proxy:Inbound:Tls are read at start: a reload that changes them is applied for the
/// rest, with a warning naming each key in /config (and the log) that the sidecar keeps the value it started with.
/// </summary>
public sealed class IdentitySettingsReloadTests : IDisposable
{
    private readonly TrustDomain _domain = TrustDomain.Create();

    public void Dispose() => _domain.Dispose();

    private static string Json(WorkloadFiles files, string tls, string endpoint) =>
        Sidecar.Json(new Dictionary<string, string[]> { ["orders"] = [endpoint] })
            .Replace("\"Mesh\": {", $$"""
                "Mesh": {
                  "Identity": { "CertificateFile": "{{files.Certificate}}", "KeyFile": "{{files.Key}}", "TrustBundleFile": "{{files.TrustBundle}}" },
                """, StringComparison.Ordinal)
            .Replace("\"Target\":", $"\"Tls\": \"{tls}\", \"Target\":", StringComparison.Ordinal);

    [Fact]
    public async Task AReloadChangingThem_IsAppliedForTheRest_WithAWarningForEach_TheStartValuesStay()
    {
        var first = _domain.Issue("/ns/shop/sa/orders");
        var files = _domain.Write("orders", first);
        var other = _domain.Write("payments", _domain.Issue("/ns/shop/sa/payments"));
        await using var sidecar = await Sidecar.StartAsync(Json(files, "Permissive", "http://127.0.0.1:9001"));

        await sidecar.RewriteConfigAsync(Json(other, "Strict", "http://127.0.0.1:9002"));
        JsonElement config = default;
        await Eventually.TrueAsync(async () => (config = await ConfigAsync(sidecar)).GetProperty("reload").GetProperty("warnings").GetArrayLength() > 0, "the reload's warnings");

        Assert.Equal("applied", config.GetProperty("reload").GetProperty("state").GetString());
        Assert.Equal(
            [
                $"Mesh:Identity:CertificateFile is read at start only: the sidecar keeps '{files.Certificate}' until it restarts (the reload sets '{other.Certificate}')",
                $"Mesh:Identity:KeyFile is read at start only: the sidecar keeps '{files.Key}' until it restarts (the reload sets '{other.Key}')",
                "Mesh:Proxy:Inbound:Tls is read at start only: the sidecar keeps 'Permissive' until it restarts (the reload sets 'Strict')",
            ],
            config.GetProperty("reload").GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!));
        Assert.Equal(first.SerialNumber, config.GetProperty("identity").GetProperty("serial").GetString());
        Assert.Contains("127.0.0.1:9002", config.GetRawText(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> ConfigAsync(Sidecar sidecar)
    {
        using var document = JsonDocument.Parse(await sidecar.GetAdminAsync("/config"));
        return document.RootElement.Clone();
    }
}
