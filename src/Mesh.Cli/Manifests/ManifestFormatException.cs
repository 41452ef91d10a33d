namespace Mesh.Cli.Manifests;

/// <summary>The input is not YAML: the message says where (line and column in the whole input) and why.</summary>
internal sealed class ManifestFormatException(string message, Exception? inner = null) : Exception(message, inner);
