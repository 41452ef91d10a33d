using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Mesh.Cli.Manifests;

/// <summary>
/// Reading and changing YamlDotNet's representation model the way a manifest needs: by key, keeping every entry where
/// it was (a value replaced stays in its place, with its key's comments; a new one goes last), and new scalars quoted
/// when a YAML 1.1 reader such as Kubernetes' would otherwise take a string for a bool, a number or null.
/// </summary>
internal static partial class YamlNodes
{
    /// <summary>The value under <paramref name="path"/>, or null when a step is missing or not a mapping.</summary>
    public static YamlNode? Get(YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>The text of the scalar under <paramref name="path"/>, or null.</summary>
    public static string? Text(YamlNode? node, params string[] path) => (Get(node, path) as YamlScalarNode)?.Value;

    /// <summary>The items of the sequence under <paramref name="path"/> (none when it is missing or not a sequence).</summary>
    public static IReadOnlyList<YamlNode> Items(YamlNode? node, params string[] path) =>
        Get(node, path) is YamlSequenceNode sequence ? [.. sequence.Children] : [];

    /// <summary>
    /// The mapping under <paramref name="key"/>, to add to: made when missing or empty (<c>annotations:</c> with nothing
    /// after), before the key <paramref name="before"/> when there is one, else last; one written in flow style
    /// (<c>{a: b}</c>) is written as a block from now on, so that what is added does not make one long line.
    /// </summary>
    public static YamlMappingNode MappingAt(YamlMappingNode parent, string key, string? before = null)
    {
        var mapping = Get(parent, key) as YamlMappingNode ?? (YamlMappingNode)Set(parent, key, new YamlMappingNode(), before);
        mapping.Style = MappingStyle.Block;
        return mapping;
    }

    /// <summary>The sequence under <paramref name="key"/>, to add to, as <see cref="MappingAt"/>.</summary>
    public static YamlSequenceNode SequenceAt(YamlMappingNode parent, string key, string? before = null)
    {
        var sequence = Get(parent, key) as YamlSequenceNode ?? (YamlSequenceNode)Set(parent, key, new YamlSequenceNode(), before);
        sequence.Style = SequenceStyle.Block;
        return sequence;
    }

    /// <summary>
    /// Sets <paramref name="key"/> to <paramref name="value"/>: in its place when it is there (its key, and so the
    /// comments above it, kept); else before <paramref name="before"/> when that key is there; else last.
    /// </summary>
    public static YamlNode Set(YamlMappingNode mapping, string key, YamlNode value, string? before = null)
    {
        var children = mapping.Children;
        var index = IndexOfKey(mapping, key);
        if (index >= 0)
        {
            var existingKey = children[index].Key;
            children.RemoveAt(index);
            children.Insert(index, existingKey, value);
        }
        else if (before is not null && IndexOfKey(mapping, before) is >= 0 and var beforeIndex)
        {
            children.Insert(beforeIndex, new YamlScalarNode(key), value);
        }
        else
        {
            children.Add(new YamlScalarNode(key), value);
        }

        return value;
    }

    /// <summary>Takes out the item named <paramref name="name"/>, if there is one.</summary>
    public static void RemoveNamed(YamlSequenceNode sequence, string name)
    {
        if (IndexOfNamed(sequence, name) is >= 0 and var index)
        {
            sequence.Children.RemoveAt(index);
        }
    }

    private static int IndexOfKey(YamlMappingNode mapping, string key)
    {
        var children = mapping.Children;
        for (var i = 0; i < children.Count; i++)
        {
            if (children[i].Key is YamlScalarNode { Value: var existing } && existing == key)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Puts <paramref name="item"/> in place of the item with the same <c>name</c>, or last when there is none.</summary>
    public static void SetNamed(YamlSequenceNode sequence, YamlMappingNode item)
    {
        var index = IndexOfNamed(sequence, Text(item, "name")!);
        if (index < 0)
        {
            sequence.Children.Add(item);
        }
        else
        {
            sequence.Children[index] = item;
        }
    }

    /// <summary>Where the item named <paramref name="name"/> is, or -1.</summary>
    public static int IndexOfNamed(YamlSequenceNode sequence, string name)
    {
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (Text(sequence.Children[i], "name") == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A string, quoted when plain it would be read as something else (<c>"true"</c>, <c>"4191"</c>, <c>""</c>).</summary>
    public static YamlScalarNode Str(string value) =>
        new(value) { Style = LooksTyped().IsMatch(value) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any };

    public static YamlScalarNode Int(long value) => new(value.ToString(CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };

    public static YamlScalarNode Bool(bool value) => new(value ? "true" : "false") { Style = ScalarStyle.Plain };

    /// <summary>A mapping of the entries given, in order.</summary>
    public static YamlMappingNode Map(params (string Key, YamlNode Value)[] entries)
    {
        var mapping = new YamlMappingNode();
        foreach (var (key, value) in entries)
        {
            mapping.Children.Add(new YamlScalarNode(key), value);
        }

        return mapping;
    }

    public static YamlSequenceNode Seq(params YamlNode[] items) => new(items);

    public static YamlSequenceNode Strs(IEnumerable<string> items) => new(items.Select(i => (YamlNode)Str(i)));

    // What a YAML 1.1 resolver (go-yaml, under kubectl and the API server's YAML) reads as bool, null or a number.
    [GeneratedRegex(@"^(|~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|[-+]?[0-9][0-9_.:]*([eE][-+]?[0-9]+)?|[-+]?\.[0-9][0-9_]*([eE][-+]?[0-9]+)?|[-+]?0[xob][0-9a-fA-F_]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex LooksTyped();
}
