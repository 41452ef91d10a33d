namespace Mesh.Configuration.Shape;

/// <summary>One level of the configuration's shape: a section with named keys, a section of any keys, or a value.</summary>
internal abstract class ShapeNode
{
    /// <summary>Gets the node for the child key <paramref name="key"/>, or null when there is no such key.</summary>
    public abstract ShapeNode? Child(string key);
}

/// <summary>A section whose keys are an options class's properties (case-insensitive, as the binder reads them).</summary>
internal sealed class SectionNode(IReadOnlyDictionary<string, ShapeNode> children) : ShapeNode
{
    public IReadOnlyDictionary<string, ShapeNode> Children { get; } = children;

    public IEnumerable<string> Keys => Children.Keys;

    public override ShapeNode? Child(string key) => Children.TryGetValue(key, out var child) ? child : null;
}

/// <summary>A section of any keys, each of the same shape: a dictionary's entries, a list's indices, a service per name.</summary>
internal sealed class AnyKeyNode(ShapeNode item) : ShapeNode
{
    public override ShapeNode? Child(string key) => item;
}

/// <summary>A section taken as it comes (its keys are not Mesh's to check).</summary>
internal sealed class OpenNode : ShapeNode
{
    public static readonly OpenNode Instance = new();

    public override ShapeNode? Child(string key) => this;
}

/// <summary>A value of <see cref="Type"/>.</summary>
internal sealed class ValueNode(Type type) : ShapeNode
{
    public Type Type { get; } = type;

    public bool IsDuration => Type == typeof(TimeSpan) || Type == typeof(TimeSpan?);

    public override ShapeNode? Child(string key) => null;
}
