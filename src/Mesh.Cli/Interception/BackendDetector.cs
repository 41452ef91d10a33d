namespace Mesh.Cli.Interception;

/// <summary>
/// Picks the back-end when <c>--backend</c> is not given. A node uses one of the two and the pod's rules must go into
/// that one: legacy when only it is installed, or when it holds rules and nf_tables holds none (a node still on
/// x_tables, with kube-proxy's or the CNI's rules there); nf_tables otherwise, as most current nodes are.
/// </summary>
internal static class BackendDetector
{
    public static async Task<IptablesBackend> DetectAsync(CancellationToken cancellationToken)
    {
        var nft = IptablesBinaries.Find(IptablesBackend.Nft, IptablesFamily.IPv4);
        var legacy = IptablesBinaries.Find(IptablesBackend.Legacy, IptablesFamily.IPv4);
        if (nft is null && legacy is null)
        {
            throw new IptablesException($"neither {IptablesBinaries.RestoreName(IptablesBackend.Nft, IptablesFamily.IPv4)} nor {IptablesBinaries.RestoreName(IptablesBackend.Legacy, IptablesFamily.IPv4)} is installed (looked in PATH, /usr/sbin and /sbin): install iptables");
        }

        if (nft is null || legacy is null)
        {
            return nft is null ? IptablesBackend.Legacy : IptablesBackend.Nft;
        }

        return await HasRulesAsync(legacy, cancellationToken) && !await HasRulesAsync(nft, cancellationToken) ? IptablesBackend.Legacy : IptablesBackend.Nft;
    }

    private static async Task<bool> HasRulesAsync(IptablesBinaries binaries, CancellationToken cancellationToken)
    {
        try
        {
            var save = await IptablesProcess.RunAsync(binaries.Save, [], null, cancellationToken);
            return save.Split('\n').Any(line => line.StartsWith("-A ", StringComparison.Ordinal));
        }
        catch (IptablesException)
        {
            // A back-end the kernel cannot serve holds no rules.
            return false;
        }
    }
}
