namespace Mesh.Demo;

/// <summary>Reads tag values off a measurement.</summary>
internal static class MeshTags
{
    /// <summary>The string value of the tag <paramref name="key"/>, or null.</summary>
    public static string? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
