namespace Mesh.Cli;

/// <summary>The exit codes of <c>mesh</c>, for scripts and CI.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The admin endpoint could not be reached, or answered with an error.</summary>
    public const int AdminError = 1;

    /// <summary>The command line was wrong: unknown command or option, a missing or malformed value.</summary>
    public const int Usage = 2;

    /// <summary><c>mesh check</c> found errors in the configuration file.</summary>
    public const int ConfigurationErrors = 3;

    /// <summary><c>mesh iptables</c>: an iptables binary is not installed, could not be run, or refused the rules.</summary>
    public const int IptablesError = 4;

    /// <summary><c>mesh inject</c>: the input could not be read, is not YAML, or a workload in it cannot be injected (nothing is written).</summary>
    public const int InputErrors = 5;

    /// <summary>
    /// <c>mesh identity</c>: its files could not be read or written, or contradict what was asked (another trust domain,
    /// a lifetime past the anchor's); <c>mesh check</c>: the sidecar's identity certificate has expired.
    /// </summary>
    public const int IdentityError = 6;
}
