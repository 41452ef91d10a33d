using Mesh.ProxyHost.Configuration;
using Mesh.ProxyHost.Tests.Infrastructure;

namespace Mesh.ProxyHost.Tests;

/// <summary>Start: an invalid configuration fails fast listing every error with its key; an empty one runs on defaults.</summary>
public class StartupTests
{
    private static readonly string[] InvalidArgs =
    [
        "--Mesh:Admin:Listen=0.0.0.0:0",
        "--Mesh:Services:orders:Retry:BudgetRatio=1.5",
        "--Services:orders:http:0=not a url",
    ];

    private static readonly string[] InvalidKeys =
    [
        "Mesh:Admin:Listen",
        "Mesh:Services:orders:Retry:BudgetRatio",
        "Services:orders:http:0",
    ];

    [Fact]
    public void Build_WithSeveralErrors_ThrowsListingEveryOneWithItsKey()
    {
        var ex = Assert.Throws<InvalidConfigurationException>(() => ProxyApp.Build(InvalidArgs));

        Assert.Equal(3, ex.Errors.Count);
        foreach (var key in InvalidKeys)
        {
            Assert.Contains(ex.Errors, e => e.StartsWith(key + " ", StringComparison.Ordinal));
        }

        Assert.Contains(ex.Errors, e => e.Contains("AllowNonLoopback", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("was 1.5", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("'not a url'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheBinary_WithAnInvalidConfiguration_ExitsWith2_NamingEveryKeyOnStderr()
    {
        var (exitCode, stdout, errors) = await SidecarProcess.RunAsync(InvalidArgs);

        Assert.True(exitCode == 2, $"exit code {exitCode}; stderr: {errors}; stdout: {stdout}");
        foreach (var key in InvalidKeys)
        {
            Assert.Contains(key + " ", errors, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task NoServices_RunsOnDefaults_AndAnUnknownHostIs404()
    {
        await using var sidecar = await Sidecar.StartAsync(Sidecar.Json(new Dictionary<string, string[]>()));

        var response = await RawHttp.SendAsync(sidecar.OutboundPort, "GET /work HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n");

        Assert.Equal(404, RawHttp.Status(response));
        Assert.Contains("mesh-proxy-error: unknown-service", response, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"state\": \"loaded\"", await sidecar.GetAdminAsync("/config"), StringComparison.Ordinal);
    }
}
