using System.IO.Compression;
using System.Xml.Linq;

namespace Mesh.Packaging.Tests.Infrastructure;

/// <summary>A .nupkg or .snupkg read back: its nuspec and its files.</summary>
public sealed class NuGetPackage(string path)
{
    public string Path { get; } = path;

    public bool Exists => File.Exists(Path);

    /// <summary>The nuspec's metadata element (namespaces vary between package types; look names up by local name).</summary>
    public XElement Metadata()
    {
        using var zip = ZipFile.OpenRead(Path);
        var nuspec = zip.Entries.Single(static e => !e.FullName.Contains('/') && e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        return XDocument.Load(stream).Root!.Elements().Single(static e => e.Name.LocalName == "metadata");
    }

    public IReadOnlyList<string> Files()
    {
        using var zip = ZipFile.OpenRead(Path);
        return [.. zip.Entries.Select(static e => e.FullName)];
    }

    public string Text(string entry) => new StreamReader(new MemoryStream(Bytes(entry))).ReadToEnd();

    public byte[] Bytes(string entry)
    {
        using var zip = ZipFile.OpenRead(Path);
        var found = zip.GetEntry(entry) ?? throw new FileNotFoundException($"{entry} is not in {Path}");
        using var stream = found.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
