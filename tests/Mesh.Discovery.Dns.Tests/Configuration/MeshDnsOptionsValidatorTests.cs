using Mesh.Discovery.Dns.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mesh.Discovery.Dns.Tests.Configuration;

public class MeshDnsOptionsValidatorTests
{
    [Fact]
    public void Defaults_AreValid() => Assert.Empty(MeshDnsOptionsValidator.Validate(new MeshDnsOptions()));

    [Fact]
    public void Validate_ReportsEveryErrorWithItsKey()
    {
        var options = new MeshDnsOptions
        {
            Servers = ["127.0.0.1:5353", "dns.example", "[::1]:53"],
            Services = { ["orders"] = "", ["payments"] = "payments.example", ["legacy"] = "_http._tcp.legacy.example." },
            Namespace = "a.b",
            MinTtl = TimeSpan.Zero,
            MaxTtl = TimeSpan.FromSeconds(-1),
            Timeout = TimeSpan.Zero,
            Retries = 9,
        };

        var errors = MeshDnsOptionsValidator.Validate(options);

        Assert.Equal(
            [
                "Mesh:Discovery:Dns:Servers:1 must be ip or ip:port, was 'dns.example'",
                "Mesh:Discovery:Dns:Namespace must be one DNS label, was 'a.b'",
                "Mesh:Discovery:Dns:Services:payments must be empty (the naming rule), an SRV name starting with '_', or host:port with a port in [1, 65535], was 'payments.example'",
                "Mesh:Discovery:Dns:MinTtl must be greater than zero, was 00:00:00",
                "Mesh:Discovery:Dns:MaxTtl must not be below MinTtl (00:00:00), was -00:00:01",
                "Mesh:Discovery:Dns:Timeout must be in (0, 00:01:00], was 00:00:00",
                "Mesh:Discovery:Dns:Retries must be in [0, 5], was 9",
            ],
            errors);
    }

    [Fact]
    public void ValidateConfiguration_WithoutTheSection_HasNothingToSay() =>
        Assert.Empty(MeshDnsOptionsValidator.Validate(new ConfigurationBuilder().Build()));

    [Fact]
    public void ValidateConfiguration_NamesTheKeyOfAValueThatDoesNotConvert()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:Discovery:Dns:MinTtl"] = "soon",
        }).Build();

        var error = Assert.Single(MeshDnsOptionsValidator.Validate(configuration));
        Assert.Contains("Mesh:Discovery:Dns:MinTtl", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateConfiguration_BindsEmptyEntriesAsTheNamingRule()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:Discovery:Dns:Services:orders"] = "",
            ["Mesh:Discovery:Dns:Services:Bad.Name"] = "",
        }).Build();

        var error = Assert.Single(MeshDnsOptionsValidator.Validate(configuration));
        Assert.StartsWith("Mesh:Discovery:Dns:Services:Bad.Name is empty, so the naming rule applies", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMeshDnsDiscovery_InvalidOptions_FailTheHostAtStart()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Mesh:Discovery:Dns:Servers:0"] = "not-an-ip" });
        builder.Services.AddMeshClient("orders");
        builder.Services.AddMeshDnsDiscovery();
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Mesh:Discovery:Dns:Servers:0 must be ip or ip:port, was 'not-an-ip'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMeshDnsDiscovery_BindsConfiguration_ThenAppliesTheDelegate()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:Discovery:Dns:Servers:0"] = "127.0.0.1:5353",
            ["Mesh:Discovery:Dns:Services:orders"] = "",
            ["Mesh:Discovery:Dns:MaxTtl"] = "00:00:30",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddMeshDnsDiscovery(o => o.Services["payments"] = "payments.example:80");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MeshDnsOptions>>().Value;

        Assert.Equal(["127.0.0.1:5353"], options.Servers);
        Assert.Equal("", options.Services["orders"]);
        Assert.Equal("payments.example:80", options.Services["payments"]);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MaxTtl);
        Assert.Equal(TimeSpan.FromSeconds(1), options.MinTtl);
    }
}
