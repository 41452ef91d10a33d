namespace Mesh.Cli.Interception;

/// <summary>
/// Installs and removes the rules, one family after the other: read the nat table (<c>-save -t nat</c>), work out the
/// input (<see cref="RestoreInput"/>), feed it to <c>-restore --noflush</c>. IPv4 must be possible; IPv6 is done
/// when asked for and its binaries are installed, and otherwise left alone with a note.
/// </summary>
internal static class Interceptor
{
    private static readonly string[] RestoreArgs = ["--noflush", "--wait", "10"];

    public static Task<IReadOnlyList<FamilyResult>> ApplyAsync(InterceptionRules rules, IptablesBackend backend, bool ipv6, CancellationToken cancellationToken) =>
        ForEachFamilyAsync(backend, ipv6, async (binaries, state) =>
        {
            var input = RestoreInput.Apply(rules, state, binaries.Family);
            await RestoreAsync(binaries, input, cancellationToken);
            var what = state.Chains.Count == 0 ? "installed" : "replaced";
            return new FamilyResult(binaries.Family, binaries.Restore, input,
                $"{RestoreInput.Name(binaries.Family)}: {InterceptionConstants.InboundChain} and {InterceptionConstants.OutboundChain} {what} with {Path.GetFileName(binaries.Restore)} " +
                $"(outbound to {rules.OutboundPort}, inbound to {rules.InboundPort}, proxy uid {rules.ProxyUid})");
        }, cancellationToken);

    public static Task<IReadOnlyList<FamilyResult>> RemoveAsync(IptablesBackend backend, bool ipv6, CancellationToken cancellationToken) =>
        ForEachFamilyAsync(backend, ipv6, async (binaries, state) =>
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
        IptablesBackend backend, bool ipv6, Func<IptablesBinaries, NatState, Task<FamilyResult>> act, CancellationToken cancellationToken)
    {
        var results = new List<FamilyResult>();
        foreach (var family in ipv6 ? [IptablesFamily.IPv4, IptablesFamily.IPv6] : new[] { IptablesFamily.IPv4 })
        {
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

    private static Task RestoreAsync(IptablesBinaries binaries, string input, CancellationToken cancellationToken) =>
        IptablesProcess.RunAsync(binaries.Restore, RestoreArgs, input, cancellationToken);
}
