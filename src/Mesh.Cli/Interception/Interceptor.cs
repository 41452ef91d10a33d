namespace Mesh.Cli.Interception;

/// <summary>
/// Installs and removes the rules, one family after the other: read the nat table (<c>-save -t nat</c>), work out the
/// input (<see cref="RestoreInput"/>), feed it to <c>-restore --noflush</c>. IPv4 must be possible; IPv6 is done
/// when asked for and its binaries are installed, and otherwise left alone with a note. <c>apply</c> also leaves IPv6
/// alone, with a note, in a network namespace that has no IPv6 at all (no address, not even <c>::1</c>: IPv6 turned off,
/// or a kernel without it): no IPv6 connection can exist there to bypass the sidecar, and its ip6tables may have no nat
/// table. Where IPv6 is on, a refusal of the IPv6 input fails the command, as for IPv4.
/// </summary>
internal static class Interceptor
{
    private static readonly string[] RestoreArgs = ["--noflush", "--wait", "10"];

    public static Task<IReadOnlyList<FamilyResult>> ApplyAsync(InterceptionRules rules, IptablesBackend backend, bool ipv6, CancellationToken cancellationToken) =>
        ForEachFamilyAsync(backend, ipv6, skipIPv6: !NamespaceHasIPv6(), async (binaries, state) =>
        {
            var input = RestoreInput.Apply(rules, state, binaries.Family);
            await RestoreAsync(binaries, input, cancellationToken);
            var what = state.Chains.Count == 0 ? "installed" : "replaced";
            return new FamilyResult(binaries.Family, binaries.Restore, input,
                $"{RestoreInput.Name(binaries.Family)}: {InterceptionConstants.InboundChain} and {InterceptionConstants.OutboundChain} {what} with {Path.GetFileName(binaries.Restore)} " +
                $"(outbound to {rules.OutboundPort}, inbound to {rules.InboundPort}, proxy uid {rules.ProxyUid})");
        }, cancellationToken);

    public static Task<IReadOnlyList<FamilyResult>> RemoveAsync(IptablesBackend backend, bool ipv6, CancellationToken cancellationToken) =>
        ForEachFamilyAsync(backend, ipv6, skipIPv6: false, async (binaries, state) =>
        {
            var name = RestoreInput.Name(binaries.Family);
            if (RestoreInput.Remove(state, binaries.Family) is not { } input)
            {
                return new FamilyResult(binaries.Family, binaries.Restore, null, $"{name}: nothing of Mesh's in the nat table");
            }

            await RestoreAsync(binaries, input, cancellationToken);
            return new FamilyResult(binaries.Family, binaries.Restore, input,
                $"{name}: removed {state.Jumps.Count} jump{(state.Jumps.Count == 1 ? "" : "s")} and {state.Chains.Count} chain{(state.Chains.Count == 1 ? "" : "s")} with {Path.GetFileName(binaries.Restore)}");
        }, cancellationToken);

    private static async Task<IReadOnlyList<FamilyResult>> ForEachFamilyAsync(
        IptablesBackend backend, bool ipv6, bool skipIPv6, Func<IptablesBinaries, NatState, Task<FamilyResult>> act, CancellationToken cancellationToken)
    {
        var results = new List<FamilyResult>();
        foreach (var family in ipv6 ? [IptablesFamily.IPv4, IptablesFamily.IPv6] : new[] { IptablesFamily.IPv4 })
        {
            if (family == IptablesFamily.IPv6 && skipIPv6)
            {
                results.Add(new FamilyResult(family, null, null, "IPv6: this network namespace has no IPv6 address (IPv6 is off); IPv6 left alone"));
                continue;
            }

            var binaries = IptablesBinaries.Find(backend, family);
            if (binaries is null)
            {
                var missing = IptablesBinaries.RestoreName(backend, family);
                if (family == IptablesFamily.IPv4)
                {
                    throw new IptablesException($"{missing} or its -save is not installed (looked in PATH, /usr/sbin and /sbin): install iptables, or try --backend {(backend == IptablesBackend.Nft ? "legacy" : "nft")}");
                }

                results.Add(new FamilyResult(family, null, null, $"{RestoreInput.Name(family)}: {missing} is not installed; IPv6 left alone"));
                continue;
            }

            var save = await IptablesProcess.RunAsync(binaries.Save, ["-t", "nat"], null, cancellationToken);
            results.Add(await act(binaries, NatState.Parse(save)));
        }

        return results;
    }

    // /proc/net is the calling process's network namespace's; if_inet6 lists its IPv6 addresses, ::1 among them when on.
    private static bool NamespaceHasIPv6()
    {
        try
        {
            return File.ReadAllText("/proc/net/if_inet6").Length > 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static Task RestoreAsync(IptablesBinaries binaries, string input, CancellationToken cancellationToken) =>
        IptablesProcess.RunAsync(binaries.Restore, RestoreArgs, input, cancellationToken);
}
