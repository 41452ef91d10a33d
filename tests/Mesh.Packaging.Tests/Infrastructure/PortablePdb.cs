using System.Reflection.Metadata;
using System.Text;

namespace Mesh.Packaging.Tests.Infrastructure;

/// <summary>What a portable PDB tells a debugger: its source documents, which of them it embeds, and its Source Link map.</summary>
public sealed class PortablePdb
{
    // Kinds of custom debug information, from the portable PDB format (dotnet/runtime docs/design/specs/PortablePdb-Metadata.md).
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    private static readonly Guid EmbeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    public PortablePdb(byte[] pdb)
    {
        using var provider = MetadataReaderProvider.FromPortablePdbImage([.. pdb]);
        var reader = provider.GetMetadataReader();
        var embedded = new HashSet<DocumentHandle>();
        foreach (var handle in reader.CustomDebugInformation)
        {
            var info = reader.GetCustomDebugInformation(handle);
            var kind = reader.GetGuid(info.Kind);
            if (kind == SourceLinkKind)
            {
                SourceLink = Encoding.UTF8.GetString(reader.GetBlobBytes(info.Value));
            }
            else if (kind == EmbeddedSourceKind && info.Parent.Kind == HandleKind.Document)
            {
                embedded.Add((DocumentHandle)info.Parent);
            }
        }

        Documents = [.. reader.Documents.Select(h => new Document(reader.GetString(reader.GetDocument(h).Name), embedded.Contains(h)))];
    }

    public sealed record Document(string Path, bool Embedded);

    public IReadOnlyList<Document> Documents { get; }

    /// <summary>The Source Link JSON, or null when the PDB has none.</summary>
    public string? SourceLink { get; }
}
