namespace Mesh.Cli.Commands;

/// <summary>One configuration file, checked offline with the sidecar's own validator.</summary>
/// <param name="Path">The file's full path.</param>
/// <param name="Valid">Whether it has no error.</param>
/// <param name="Errors">Every error, each naming its key.</param>
internal sealed record ConfigCheck(string Path, bool Valid, IReadOnlyList<string> Errors);
