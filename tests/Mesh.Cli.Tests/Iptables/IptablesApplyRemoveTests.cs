using System.Text.Json;
using Mesh.Cli.Tests.Infrastructure.Netns;
using Mesh.MultiHost.Tests.Infrastructure;

namespace Mesh.Cli.Tests.Iptables;

/// <summary>Real iptables, inside a network namespace of the test's own: the root namespace's tables are never touched.</summary>
public class IptablesApplyRemoveTests
{
    private const string Host = "app";

    [NetnsFact]
    public Task ApplyTwice_ThenRemove_LeavesTheTablesAsTheyWere_Nft() => ApplyTwiceThenRemoveAsync("nft", passBackend: false);

    [NetnsFact]
    public Task ApplyTwice_ThenRemove_LeavesTheTablesAsTheyWere_Legacy() => ApplyTwiceThenRemoveAsync("legacy", passBackend: true);

    [NetnsFact]
    public async Task Remove_WhenAnotherRuleStillJumpsToMeshsChain_ExitsFour_WithIptablesOwnError_AndChangesNothing()
    {
        await using var lab = await NetworkLab.CreateAsync();
        await lab.AddHostAsync(Host, 1);
        await NamespacedCli.RunOkAsync(lab, Host, "iptables", "apply", "--ipv6", "false");
        await IptablesSave.RunAsync(lab, Host, "iptables-nft", "-t", "nat", "-N", "SOMEONE_ELSES");
        await IptablesSave.RunAsync(lab, Host, "iptables-nft", "-t", "nat", "-A", "SOMEONE_ELSES", "-p", "tcp", "-j", "MESH_OUTPUT");
        var applied = await IptablesSave.OfAsync(lab, Host, "iptables-nft-save");

        var result = await NamespacedCli.RunAsync(lab, Host, "iptables", "remove", "--ipv6", "false");

        Assert.Equal(4, result.ExitCode);
        var error = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mesh iptables remove: iptables-nft-restore --noflush --wait 10 failed (exit ", error, StringComparison.Ordinal);
        Assert.Contains("MESH_OUTPUT", error, StringComparison.Ordinal);
        Assert.Equal(applied, await IptablesSave.OfAsync(lab, Host, "iptables-nft-save"));
    }

    [NetnsFact]
    public async Task Apply_InANamespaceWithIPv6Off_InstallsIPv4_AndLeavesIPv6Alone_WithANote()
    {
        await using var lab = await NetworkLab.CreateAsync();
        await lab.AddHostAsync(Host, 1);
        var off = await lab.ExecAsync(Host, "sysctl", ["-w", "net.ipv6.conf.all.disable_ipv6=1"]);
        Assert.True(off.Ok, off.Error);
        var before6 = await IptablesSave.OfAsync(lab, Host, "ip6tables-nft-save");

        // --ipv6 true is the default, mesh inject's too: a pod without IPv6 must still start.
        var apply = await NamespacedCli.RunOkAsync(lab, Host, "iptables", "apply");

        Assert.Contains("note: IPv6: this network namespace has no IPv6 address (IPv6 is off); IPv6 left alone", apply.Error, StringComparison.Ordinal);
        Assert.Contains(":MESH_OUTPUT - [0:0]", (await IptablesSave.OfAsync(lab, Host, "iptables-nft-save")).Split('\n'));
        Assert.Equal(before6, await IptablesSave.OfAsync(lab, Host, "ip6tables-nft-save"));
    }

    private static async Task ApplyTwiceThenRemoveAsync(string backend, bool passBackend)
    {
        await using var lab = await NetworkLab.CreateAsync();
        await lab.AddHostAsync(Host, 1);
        string[] backendArgs = passBackend ? ["--backend", backend] : [];

        // Rules of someone else's, in nat and in filter, for both families: they must be there, unchanged, throughout.
        foreach (var iptables in new[] { $"iptables-{backend}", $"ip6tables-{backend}" })
        {
            await IptablesSave.RunAsync(lab, Host, iptables, "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "--dport", "9999", "-j", "RETURN");
            await IptablesSave.RunAsync(lab, Host, iptables, "-A", "INPUT", "-p", "tcp", "--dport", "9998", "-j", "ACCEPT");
        }

        var before4 = await IptablesSave.OfAsync(lab, Host, $"iptables-{backend}-save");
        var before6 = await IptablesSave.OfAsync(lab, Host, $"ip6tables-{backend}-save");

        var apply = await NamespacedCli.RunOkAsync(lab, Host, ["iptables", "apply", "--skip-outbound-ports", "25,8000-8100", "--output", "json", .. backendArgs]);
        using (var report = JsonDocument.Parse(apply.Out))
        {
            Assert.Equal(backend, report.RootElement.GetProperty("backend").GetString());
            Assert.Equal(["ipv4", "ipv6"], report.RootElement.GetProperty("families").EnumerateArray().Select(f => f.GetProperty("family").GetString()));
        }

        var applied4 = await IptablesSave.OfAsync(lab, Host, $"iptables-{backend}-save");
        var applied6 = await IptablesSave.OfAsync(lab, Host, $"ip6tables-{backend}-save");
        foreach (var applied in new[] { applied4, applied6 })
        {
            var lines = applied.Split('\n');
            Assert.Contains(":MESH_PREROUTING - [0:0]", lines);
            Assert.Contains(":MESH_OUTPUT - [0:0]", lines);
            Assert.Single(lines, l => l == "-A PREROUTING -p tcp -m comment --comment \"mesh/inbound\" -j MESH_PREROUTING");
            Assert.Single(lines, l => l == "-A OUTPUT -p tcp -m comment --comment \"mesh/outbound\" -j MESH_OUTPUT");
            Assert.Contains("-A MESH_OUTPUT -p tcp -m multiport --dports 25,8000:8100 -m comment --comment \"mesh/skip-outbound-ports\" -j RETURN", lines);
            Assert.Contains("-A MESH_OUTPUT -p tcp -m comment --comment \"mesh/redirect-outbound\" -j REDIRECT --to-ports 4140", lines);
            Assert.Contains("-A OUTPUT -p tcp -m tcp --dport 9999 -j RETURN", lines);
            Assert.Contains("-A INPUT -p tcp -m tcp --dport 9998 -j ACCEPT", lines);
        }

        await NamespacedCli.RunOkAsync(lab, Host, ["iptables", "apply", "--skip-outbound-ports", "25,8000-8100", .. backendArgs]);
        Assert.Equal(applied4, await IptablesSave.OfAsync(lab, Host, $"iptables-{backend}-save"));
        Assert.Equal(applied6, await IptablesSave.OfAsync(lab, Host, $"ip6tables-{backend}-save"));

        var remove = await NamespacedCli.RunOkAsync(lab, Host, ["iptables", "remove", .. backendArgs]);
        Assert.Contains("ok: IPv4: removed 2 jumps and 2 chains", remove.Out, StringComparison.Ordinal);
        Assert.Equal(before4, await IptablesSave.OfAsync(lab, Host, $"iptables-{backend}-save"));
        Assert.Equal(before6, await IptablesSave.OfAsync(lab, Host, $"ip6tables-{backend}-save"));

        // Nothing left to remove is not an error.
        var again = await NamespacedCli.RunOkAsync(lab, Host, ["iptables", "remove", .. backendArgs]);
        Assert.Contains("ok: IPv4: nothing of Mesh's in the nat table", again.Out, StringComparison.Ordinal);
    }
}
