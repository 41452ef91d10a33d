namespace Mesh.Cli.Interception;

/// <summary>An iptables binary is missing, could not be run, or refused what it was given: one line, with its stderr.</summary>
internal sealed class IptablesException(string message) : Exception(message);
