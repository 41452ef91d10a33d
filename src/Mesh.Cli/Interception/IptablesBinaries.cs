namespace Mesh.Cli.Interception;

/// <summary>The <c>-restore</c> and <c>-save</c> binaries of one back-end and family, e.g. <c>ip6tables-nft-restore</c>.</summary>
internal sealed record IptablesBinaries(IptablesBackend Backend, IptablesFamily Family, string Restore, string Save)
{
    // Where the binaries are when PATH lacks the sbin folders (a non-login shell, an image's minimal PATH).
    private static readonly string[] SbinFolders = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    /// <summary>The restore binary's name, e.g. <c>iptables-nft-restore</c>.</summary>
    public static string RestoreName(IptablesBackend backend, IptablesFamily family) => $"{Stem(backend, family)}-restore";

    /// <summary>Both binaries of <paramref name="backend"/> for <paramref name="family"/>, or null when either is not installed.</summary>
    public static IptablesBinaries? Find(IptablesBackend backend, IptablesFamily family) =>
        FindExecutable(RestoreName(backend, family)) is { } restore && FindExecutable($"{Stem(backend, family)}-save") is { } save
            ? new IptablesBinaries(backend, family, restore, save)
            : null;

    private static string Stem(IptablesBackend backend, IptablesFamily family) =>
        $"{RestoreInput.Tool(family)}-{(backend == IptablesBackend.Legacy ? "legacy" : "nft")}";

    private static string? FindExecutable(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(SbinFolders)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}
