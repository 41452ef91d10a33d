using System.Xml.Linq;

namespace Mesh.Packaging.Tests.Infrastructure;

/// <summary>Reading a nuspec's metadata by local name.</summary>
public static class NuspecExtensions
{
    public static XElement? Child(this XElement element, string name) =>
        element.Elements().SingleOrDefault(e => e.Name.LocalName == name);

    public static string? Value(this XElement element, string name) => element.Child(name)?.Value;
}
