using System.Globalization;
using Mesh.ProxyHost.Testing;
using Mesh.ProxyHost.Testing.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Mesh.Dashboard.Tests;

/// <summary>
/// The dashboard's header shows the sidecar's identity, in Debian's Chromium: until when it is valid, then the warning
/// of /config once under a fifth of its lifetime is left, then that it has expired. The sidecar's clock is a FakeTimeProvider.
/// </summary>
public sealed class IdentityBannerTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task TheHeader_ShowsTheIdentity_ThenItsExpiryWarning_ThenThatItExpired()
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium is required (test.sh installs it)");
        using var domain = TrustDomain.Create();
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60);
        var leaf = domain.Issue("/ns/shop/sa/orders", TimeSpan.FromHours(10), start);
        var time = new FakeTimeProvider(start.AddMinutes(2));
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>()), s => s.AddSingleton<TimeProvider>(time), domain.Write("orders", leaf).Args);
        var notAfter = leaf.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(sidecar.Admin + "");
        var banner = page.Locator("#identity");

        await Assertions.Expect(banner).ToHaveAttributeAsync("data-state", "ok");
        await Assertions.Expect(banner).ToHaveTextAsync($"identity spiffe://example.org/ns/shop/sa/orders, valid until {notAfter}");

        // 9 h of 10 gone: the warning /config gives (the page reads it again within 5 s).
        time.Advance(TimeSpan.FromHours(9));
        await Assertions.Expect(banner).ToHaveAttributeAsync("data-state", "expiring", new() { Timeout = 15_000 });
        await Assertions.Expect(banner).ToHaveTextAsync($"the certificate of spiffe://example.org/ns/shop/sa/orders expires at {notAfter}, in 58 minutes: 10% of its lifetime is left; has its renewal stopped?");

        time.Advance(TimeSpan.FromHours(2));
        await Assertions.Expect(banner).ToHaveAttributeAsync("data-state", "expired", new() { Timeout = 15_000 });
        await Assertions.Expect(banner).ToContainTextAsync($"expired at {notAfter}");
    }
}
