using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Mesh.Packaging.Tests.Infrastructure;

/// <summary>The assemblies an assembly shows its internals to (its <c>InternalsVisibleTo</c> attributes), read from its metadata without loading it.</summary>
public static class AssemblyGrants
{
    public static IReadOnlyList<string> InternalsVisibleTo(byte[] assembly)
    {
        using var pe = new PEReader(new MemoryStream(assembly));
        var reader = pe.GetMetadataReader();
        var grants = new List<string>();
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference)
            {
                continue;
            }

            var type = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
            if (type.Kind == HandleKind.TypeReference && reader.GetString(reader.GetTypeReference((TypeReferenceHandle)type).Name) == "InternalsVisibleToAttribute")
            {
                // The blob: prolog 0x0001, then the one string argument.
                var blob = reader.GetBlobReader(attribute.Value);
                blob.ReadUInt16();
                grants.Add(blob.ReadSerializedString()!);
            }
        }

        return grants;
    }
}
