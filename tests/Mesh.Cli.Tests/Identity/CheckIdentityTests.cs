using System.Globalization;
using System.Text.Json;
using Mesh.Cli.Tests.Infrastructure;
using Mesh.ProxyHost.Testing.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Cli.Tests.Identity;

/// <summary>
/// <c>mesh check</c> and the sidecar's identity: valid, a line saying until when; under a fifth of its lifetime left, a
/// warning (exit 0); expired, a failure (exit 6). With <c>--config</c>, expired identity files are configuration errors,
/// as they would stop the sidecar's start. The sidecar's clock is a FakeTimeProvider.
/// </summary>
public sealed class CheckIdentityTests : IDisposable
{
    private readonly TrustDomain _domain = TrustDomain.Create();

    public void Dispose() => _domain.Dispose();

    private async Task<(Sidecar Sidecar, FakeTimeProvider Time, string NotAfter)> StartAsync()
    {
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60);
        var leaf = _domain.Issue("/ns/shop/sa/orders", TimeSpan.FromHours(10), start);
        var time = new FakeTimeProvider(start.AddMinutes(2));
        var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>()), s => s.AddSingleton<TimeProvider>(time), _domain.Write("orders", leaf).Args);
        return (sidecar, time, leaf.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task AValidIdentity_IsOk()
    {
        var (sidecar, _, notAfter) = await StartAsync();
        await using var _ = sidecar;

        var result = await CliRunner.RunAsync("check", "--admin", sidecar.Admin.Authority);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"ok: identity spiffe://example.org/ns/shop/sa/orders: valid until {notAfter}", result.OutLines);
    }

    [Fact]
    public async Task AnExpiringIdentity_IsAWarning_ExitZero()
    {
        var (sidecar, time, notAfter) = await StartAsync();
        await using var _ = sidecar;
        time.Advance(TimeSpan.FromHours(9));

        var result = await CliRunner.RunAsync("check", "--admin", sidecar.Admin.Authority);
        var json = await CliRunner.RunAsync("check", "--admin", sidecar.Admin.Authority, "-o", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"warning: identity: the certificate of spiffe://example.org/ns/shop/sa/orders expires at {notAfter}, in ", result.Error, StringComparison.Ordinal);
        Assert.Contains("of its lifetime is left; has its renewal stopped?", result.Error, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(json.Out);
        Assert.Equal("expiring", report.RootElement.GetProperty("identity").GetProperty("state").GetString());
        Assert.Equal(0, json.ExitCode);
    }

    [Fact]
    public async Task AnExpiredIdentity_Fails_ExitSix()
    {
        var (sidecar, time, notAfter) = await StartAsync();
        await using var _ = sidecar;
        time.Advance(TimeSpan.FromHours(11));

        var result = await CliRunner.RunAsync("check", "--admin", sidecar.Admin.Authority);

        Assert.Equal(6, result.ExitCode);
        Assert.StartsWith($"mesh: identity: the certificate of spiffe://example.org/ns/shop/sa/orders expired at {notAfter} (", result.Error.Trim(), StringComparison.Ordinal);
        Assert.Contains("ok: admin", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConfig_WithExpiredIdentityFiles_ExitsThree_NamingTheFile()
    {
        var files = _domain.Write("orders", _domain.Issue("/ns/shop/sa/orders", TimeSpan.FromHours(1), DateTimeOffset.UtcNow.AddHours(-2)));
        var config = Path.Combine(_domain.Folder, "mesh.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            Mesh = new { Identity = new { CertificateFile = files.Certificate, KeyFile = files.Key, TrustBundleFile = files.TrustBundle } },
        }));

        var result = await CliRunner.RunAsync("check", "--config", config, "--admin", $"127.0.0.1:{FreePort.Get()}");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"  - Mesh:Identity:CertificateFile {files.Certificate}: expired at ", result.Out, StringComparison.Ordinal);
    }
}
