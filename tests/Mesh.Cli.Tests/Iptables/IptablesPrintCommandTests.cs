using System.Text.Json;
using Mesh.Cli.Tests.Infrastructure;

namespace Mesh.Cli.Tests.Iptables;

public class IptablesPrintCommandTests
{
    [Fact]
    public async Task Print_WritesTheNatRulesForBothFamilies_WithTheSidecarsDefaultPortsAndUser()
    {
        var result = await CliRunner.RunAsync("iptables", "print");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        var families = result.Out.Split("\n\n");
        Assert.Equal(2, families.Length);
        Assert.StartsWith("# mesh iptables apply: IPv4 nat rules, for iptables-restore --noflush\n", families[0], StringComparison.Ordinal);
        Assert.StartsWith("# mesh iptables apply: IPv6 nat rules, for ip6tables-restore --noflush\n", families[1], StringComparison.Ordinal);
        foreach (var family in families)
        {
            var lines = family.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..];
            Assert.Equal(
            [
                "*nat",
                ":MESH_PREROUTING - [0:0]",
                ":MESH_OUTPUT - [0:0]",
                "-A MESH_PREROUTING -p tcp -m multiport --dports 4191 -m comment --comment \"mesh/skip-inbound-ports\" -j RETURN",
                "-A MESH_PREROUTING -p tcp -m comment --comment \"mesh/redirect-inbound\" -j REDIRECT --to-ports 4143",
                "-A MESH_OUTPUT -m owner --uid-owner 2102 -m comment --comment \"mesh/skip-proxy-uid\" -j RETURN",
                "-A MESH_OUTPUT -o lo -m comment --comment \"mesh/skip-loopback\" -j RETURN",
                "-A MESH_OUTPUT -p tcp -m comment --comment \"mesh/redirect-outbound\" -j REDIRECT --to-ports 4140",
                "-A PREROUTING -p tcp -m comment --comment \"mesh/inbound\" -j MESH_PREROUTING",
                "-A OUTPUT -p tcp -m comment --comment \"mesh/outbound\" -j MESH_OUTPUT",
                "COMMIT",
            ], lines);
        }
    }

    [Fact]
    public async Task Print_TakesThePortsUserAndSkipLists_AndAlwaysSkipsTheAdminPortInbound()
    {
        var result = await CliRunner.RunAsync(
            "iptables", "print", "--ipv6", "false", "--outbound-port", "5140", "--inbound-port", "5143", "--proxy-uid", "999",
            "--skip-outbound-ports", "25, 3306,8000-8100", "--skip-inbound-ports", "22,4191,9000-9001");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("IPv6", result.Out, StringComparison.Ordinal);
        Assert.Contains("-A MESH_OUTPUT -p tcp -m multiport --dports 25,3306,8000:8100 -m comment --comment \"mesh/skip-outbound-ports\" -j RETURN", result.OutLines);
        Assert.Contains("-A MESH_PREROUTING -p tcp -m multiport --dports 22,4191,9000:9001 -m comment --comment \"mesh/skip-inbound-ports\" -j RETURN", result.OutLines);
        Assert.Contains("-A MESH_OUTPUT -m owner --uid-owner 999 -m comment --comment \"mesh/skip-proxy-uid\" -j RETURN", result.OutLines);
        Assert.Contains("-A MESH_OUTPUT -p tcp -m comment --comment \"mesh/redirect-outbound\" -j REDIRECT --to-ports 5140", result.OutLines);
        Assert.Contains("-A MESH_PREROUTING -p tcp -m comment --comment \"mesh/redirect-inbound\" -j REDIRECT --to-ports 5143", result.OutLines);

        // The exceptions come before the redirect they are exceptions to.
        var lines = result.OutLines.ToList();
        Assert.True(lines.FindIndex(l => l.Contains("skip-outbound-ports", StringComparison.Ordinal)) < lines.FindIndex(l => l.Contains("redirect-outbound", StringComparison.Ordinal)));
        Assert.True(lines.FindIndex(l => l.Contains("skip-loopback", StringComparison.Ordinal)) < lines.FindIndex(l => l.Contains("redirect-outbound", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Print_MoreSkippedPortsThanOneMultiportMatchTakes_AreSplitOverRules()
    {
        // 14 single ports and a range (two of multiport's 15 entries): the range starts a second rule.
        var ports = string.Join(',', Enumerable.Range(1001, 14)) + ",2000-2010";

        var result = await CliRunner.RunAsync("iptables", "print", "--ipv6", "false", "--skip-outbound-ports", ports);

        var skips = result.OutLines.Where(l => l.Contains("skip-outbound-ports", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, skips.Length);
        Assert.Contains($"--dports {string.Join(',', Enumerable.Range(1001, 14))} ", skips[0], StringComparison.Ordinal);
        Assert.Contains("--dports 2000:2010 ", skips[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrintAsJson_GivesEachFamilysRestoreInput()
    {
        var result = await CliRunner.RunAsync("iptables", "print", "--output", "json", "--backend", "legacy");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("print", json.RootElement.GetProperty("command").GetString());
        Assert.Equal("legacy", json.RootElement.GetProperty("backend").GetString());
        var families = json.RootElement.GetProperty("families").EnumerateArray().ToArray();
        Assert.Equal(["ipv4", "ipv6"], families.Select(f => f.GetProperty("family").GetString()));
        Assert.All(families, f => Assert.Contains("-j REDIRECT --to-ports 4140\n", f.GetProperty("input").GetString(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("mesh: --outbound-port must be a port (1-65535), was '70000'", "apply", "--outbound-port", "70000")]
    [InlineData("mesh: --inbound-port must be a port (1-65535), was 'http'", "print", "--inbound-port", "http")]
    [InlineData("mesh: --proxy-uid must be a user id (a whole number of at least 0), was '-1'", "apply", "--proxy-uid", "-1")]
    [InlineData("mesh: --skip-outbound-ports must be ports or ranges of 1-65535 separated by commas, such as 25,8000-8100, was '25,0': 0 is out of 1-65535", "apply", "--skip-outbound-ports", "25,0")]
    [InlineData("mesh: --skip-inbound-ports must be ports or ranges of 1-65535 separated by commas, such as 25,8000-8100, was '9100-9000': the range '9100-9000' goes backwards", "print", "--skip-inbound-ports", "9100-9000")]
    [InlineData("mesh: --skip-inbound-ports must be ports or ranges of 1-65535 separated by commas, such as 25,8000-8100, was '22,,80': a port is missing", "apply", "--skip-inbound-ports", "22,,80")]
    [InlineData("mesh: --skip-outbound-ports must be ports or ranges of 1-65535 separated by commas, such as 25,8000-8100, was '80-http': 'http' is not a number", "apply", "--skip-outbound-ports", "80-http")]
    [InlineData("mesh: --backend must be nft or legacy, was 'xtables'", "remove", "--backend", "xtables")]
    [InlineData("mesh: --ipv6 must be true or false, was 'yes'", "apply", "--ipv6", "yes")]
    public async Task AMalformedValue_ExitsTwo_NamingTheOptionAndWhy_BeforeRunningAnything(string message, params string[] args)
    {
        var result = await CliRunner.RunAsync(["iptables", .. args]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal(message, result.Error.Split('\n')[0]);
        Assert.Contains($"mesh iptables {args[0]} [options]", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IptablesWithoutASubcommand_ExitsTwo_ListingThem()
    {
        var result = await CliRunner.RunAsync("iptables");

        Assert.Equal(2, result.ExitCode);
        foreach (var command in new[] { "apply", "print", "remove" })
        {
            Assert.Contains(result.Error.Split('\n'), l => l.TrimStart().StartsWith(command + " ", StringComparison.Ordinal));
        }
    }
}
