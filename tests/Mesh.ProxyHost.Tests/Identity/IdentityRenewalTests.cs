using System.Text.Json;
using Mesh.ProxyHost.Testing.Identity;
using Mesh.ProxyHost.Tests.Infrastructure;

namespace Mesh.ProxyHost.Tests.Identity;

/// <summary>
/// The identity files are watched: a renewal is taken at once, and a renewal that is broken or half written (a PEM cut
/// short, an expired certificate) is rejected whole, the last good identity staying, with the reason in /config and a
/// count in mesh.identity.reloads.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class IdentityRenewalTests : IDisposable
{
    private readonly TrustDomain _domain = TrustDomain.Create();

    public void Dispose() => _domain.Dispose();

    [Fact]
    public async Task ARenewal_IsUsedAtOnce_ABrokenOneKeepsTheLastGood_AndEachIsCounted()
    {
        var first = _domain.Issue("/ns/shop/sa/orders");
        var files = _domain.Write("orders", first);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>()), files.Args);
        Assert.Equal("loaded", (await sidecar.IdentityAsync()).GetProperty("reload").GetProperty("state").GetString());

        // Renewed: the new serial is in use.
        var second = _domain.Issue("/ns/shop/sa/orders");
        files.Write(second);
        await Eventually.TrueAsync(async () => (await sidecar.IdentityAsync()).GetProperty("serial").GetString() == second.SerialNumber, "the renewed certificate is in use");

        // Half written: the certificate cut short. The last good identity stays and /config says why.
        var third = _domain.Issue("/ns/shop/sa/orders");
        var pem = Mesh.ProxyHost.Features.Identity.CertificateAuthority.CertificatePem(third);
        File.WriteAllText(files.Certificate, pem[..(pem.Length / 2)]);
        JsonElement rejected = default;
        await Eventually.TrueAsync(
            async () => (rejected = await sidecar.IdentityAsync()).GetProperty("reload").GetProperty("state").GetString() == "rejected",
            "the broken renewal is rejected");
        Assert.Equal(second.SerialNumber, rejected.GetProperty("serial").GetString());
        Assert.Contains(
            rejected.GetProperty("reload").GetProperty("errors").EnumerateArray().Select(static e => e.GetString()),
            e => e == $"Mesh:Identity:CertificateFile {files.Certificate}: holds no PEM certificate (empty, cut short, or not PEM)");

        // The writer finishes: the third certificate is taken.
        files.Write(third);
        await Eventually.TrueAsync(async () => (await sidecar.IdentityAsync()).GetProperty("serial").GetString() == third.SerialNumber, "the completed renewal is in use");
        Assert.Equal("renewed", (await sidecar.IdentityAsync()).GetProperty("reload").GetProperty("state").GetString());

        var metrics = "";
        await Eventually.TrueAsync(
            async () => (metrics = await sidecar.GetAdminAsync("/metrics")).Contains("mesh_identity_reloads_total{otel_scope_name=\"Mesh\",mesh_identity_reload=\"renewed\"} 2", StringComparison.Ordinal),
            "both renewals are counted");
        Assert.Matches("mesh_identity_reloads_total\\{otel_scope_name=\"Mesh\",mesh_identity_reload=\"rejected\"\\} [1-9]", metrics);
    }

    [Fact]
    public async Task AnExpiredRenewal_IsRejected_TheLastGoodIdentityStays()
    {
        var first = _domain.Issue("/ns/shop/sa/orders");
        var files = _domain.Write("orders", first);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>()), files.Args);

        files.Write(_domain.Issue("/ns/shop/sa/orders", TimeSpan.FromHours(1), DateTimeOffset.UtcNow.AddHours(-2)));

        JsonElement identity = default;
        await Eventually.TrueAsync(async () => (identity = await sidecar.IdentityAsync()).GetProperty("reload").GetProperty("state").GetString() == "rejected", "the expired renewal is rejected");
        Assert.Equal(first.SerialNumber, identity.GetProperty("serial").GetString());
        Assert.StartsWith($"Mesh:Identity:CertificateFile {files.Certificate}: expired at ", identity.GetProperty("reload").GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARenewalOfAKubernetesVolume_TheDataSymlinkSwapped_IsTaken()
    {
        var first = _domain.Issue("/ns/shop/sa/orders");
        var files = WorkloadFiles.Projected(Path.Combine(_domain.Folder, "spiffe.io"), _domain.BundleFile, first);
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>()), files.Args);
        Assert.Equal(first.SerialNumber, (await sidecar.IdentityAsync()).GetProperty("serial").GetString());

        var second = _domain.Issue("/ns/shop/sa/orders");
        files.Project(_domain.BundleFile, second);

        await Eventually.TrueAsync(async () => (await sidecar.IdentityAsync()).GetProperty("serial").GetString() == second.SerialNumber, "the swapped-in certificate is in use");
        Assert.Equal("renewed", (await sidecar.IdentityAsync()).GetProperty("reload").GetProperty("state").GetString());
    }
}
