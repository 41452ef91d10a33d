using System.Globalization;
using System.Text.Json;
using Mesh.ProxyHost.Testing.Identity;
using Mesh.ProxyHost.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.ProxyHost.Tests.Identity;

/// <summary>
/// Expiry is visible before it bites: mesh.identity.expiry counts the seconds left (negative once expired), and /config
/// warns when under a fifth of the certificate's lifetime is left. The sidecar's clock is a FakeTimeProvider here.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class IdentityExpiryTests : IDisposable
{
    private readonly TrustDomain _domain = TrustDomain.Create();

    public void Dispose() => _domain.Dispose();

    [Fact]
    public async Task TheGauge_CountsDownAndGoesNegative_AndConfigWarnsInTheLastFifth()
    {
        // Certificates keep whole seconds.
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60);
        var leaf = _domain.Issue("/ns/shop/sa/orders", TimeSpan.FromHours(10), start);
        var time = new FakeTimeProvider(start.AddHours(1));
        await using var sidecar = await Sidecar.StartAsync(
            Sidecar.Json(new Dictionary<string, string[]>()),
            services => services.AddSingleton<TimeProvider>(time),
            _domain.Write("orders", leaf).Args);

        var identity = await sidecar.IdentityAsync();
        Assert.Equal("ok", identity.GetProperty("state").GetString());
        Assert.Equal(9 * 3600, identity.GetProperty("expires_in_seconds").GetDouble(), precision: 0);
        Assert.Equal(JsonValueKind.Null, identity.GetProperty("warning").ValueKind);
        await GaugeAsync(sidecar, 9 * 3600);

        // 8.5 h in: 1.5 h of 10 left, 15 %.
        time.Advance(TimeSpan.FromHours(7.5));
        identity = await sidecar.IdentityAsync();
        Assert.Equal("expiring", identity.GetProperty("state").GetString());
        var notAfter = leaf.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Assert.Equal($"the certificate of spiffe://example.org/ns/shop/sa/orders expires at {notAfter}, in 90 minutes: 15% of its lifetime is left; has its renewal stopped?", identity.GetProperty("warning").GetString());
        await GaugeAsync(sidecar, 1.5 * 3600);

        // An hour past its expiry.
        time.Advance(TimeSpan.FromHours(2.5));
        identity = await sidecar.IdentityAsync();
        Assert.Equal("expired", identity.GetProperty("state").GetString());
        Assert.Equal(-3600, identity.GetProperty("expires_in_seconds").GetDouble(), precision: 0);
        Assert.StartsWith("the certificate of spiffe://example.org/ns/shop/sa/orders expired at ", identity.GetProperty("warning").GetString(), StringComparison.Ordinal);
        await GaugeAsync(sidecar, -3600);
    }

    // The exporter may serve a cached scrape for a moment: read until the value is the one expected (to the second).
    private static Task GaugeAsync(Sidecar sidecar, double seconds) => Eventually.TrueAsync(
        async () => (await sidecar.GetAdminAsync("/metrics")).Split('\n')
            .Where(static l => l.StartsWith("mesh_identity_expiry_seconds{", StringComparison.Ordinal))
            .Select(static l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture))
            .Any(v => Math.Abs(v - seconds) < 1),
        $"mesh_identity_expiry_seconds is {seconds}");
}
