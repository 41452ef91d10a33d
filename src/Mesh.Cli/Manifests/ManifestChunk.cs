namespace Mesh.Cli.Manifests;

/// <summary>
/// A stretch of a YAML stream from one <c>---</c> line to the next (the first one from the start of the text): its
/// text exactly as read, so that what nothing changed is written back byte for byte, and the documents in it
/// (usually one; none when it holds only comments).
/// </summary>
/// <param name="Text">The text, line breaks included, from its <c>---</c> line (if any) to the next.</param>
/// <param name="FirstLine">The line it starts on in the whole text, from 1.</param>
/// <param name="Marker">Whether it starts with a <c>---</c> line.</param>
/// <param name="Documents">The documents read from it.</param>
/// <param name="CommentsKept">False when its comments could not be read (<see cref="ManifestReader"/>): written again, it has none.</param>
internal sealed record ManifestChunk(string Text, int FirstLine, bool Marker, IReadOnlyList<ManifestDocument> Documents, bool CommentsKept);
