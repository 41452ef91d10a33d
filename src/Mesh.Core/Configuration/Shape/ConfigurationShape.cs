using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Mesh.Configuration.Shape;

/// <summary>
/// The keys Mesh's configuration may hold under <c>Mesh:</c>, read off the options classes themselves (the one place
/// they are defined): which keys exist, so a misspelled one is reported with the nearest known key instead of being
/// silently ignored, and which hold durations, so <c>5s</c> and <c>250ms</c> are read and a bare <c>5</c> (five days
/// to .NET) is refused. Each options class is registered with its properties kept for trimming and NativeAOT
/// (<see cref="Register{T}"/>), and the sections bound from them are mapped onto their configuration paths.
/// </summary>
internal sealed class ConfigurationShape
{
    private readonly Dictionary<Type, PropertyInfo[]> _classes = [];

    // The sections mapped so far, from the top: "Mesh" → "Services" → (any service) → ...
    private readonly Dictionary<string, ShapeNode> _top = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The shape of what every Mesh host reads: each service's policy and the bounds on dynamic services.</summary>
    public static ConfigurationShape ForServices() => new ConfigurationShape()
        .Register<MeshServiceOptions>()
        .Register<PeakEwmaOptions>()
        .Register<RetryOptions>()
        .Register<TimeoutOptions>()
        .Register<UpstreamOptions>()
        .Register<FailureAccrualOptions>()
        .Register<HedgingOptions>()
        .Register<BackpressureOptions>()
        .Register<ClassificationOptions>()
        .Register<RouteOptions>()
        .Register<RouteMatchOptions>()
        .Register<RouteTimeoutOptions>()
        .Register<RouteRetryOptions>()
        .Register<RouteHedgingOptions>()
        .Register<DynamicServicesOptions>()
        .Map<MeshServiceOptions>(MeshServiceOptions.SectionName, anyKey: true)
        .Map<DynamicServicesOptions>(DynamicServicesOptions.SectionName);

    /// <summary>Registers an options class, whose properties become keys wherever it is mapped or nested.</summary>
    public ConfigurationShape Register<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>()
        where T : class
    {
        _classes[typeof(T)] = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(static p => p.CanWrite || !p.PropertyType.IsValueType)
            .ToArray();
        return this;
    }

    /// <summary>Maps a registered options class onto <paramref name="path"/>; with <paramref name="anyKey"/>, onto each key below it (a service per name).</summary>
    public ConfigurationShape Map<T>(string path, bool anyKey = false)
        where T : class
    {
        var node = NodeOf(typeof(T));
        return Map(path, anyKey ? new AnyKeyNode(node) : node);
    }

    /// <summary>Maps a single value of <typeparamref name="T"/> onto <paramref name="path"/> (a key no options class holds).</summary>
    public ConfigurationShape Value<T>(string path) => Map(path, new ValueNode(typeof(T)));

    /// <summary>Maps a section whose keys are not Mesh's to check onto <paramref name="path"/>.</summary>
    public ConfigurationShape Open(string path) => Map(path, OpenNode.Instance);

    /// <summary>
    /// Gets every key a value may be set at, <c>*</c> standing for a key of the caller's choosing (a service, an index),
    /// with whether it holds a duration: <c>Mesh:Services:*:Retry:BaseDelay</c>. For checking documentation against it.
    /// </summary>
    public IEnumerable<(string Key, bool IsDuration)> Leaves() => LeavesOf("", new SectionNode(_top));

    /// <summary>Gets the node of <paramref name="key"/> (a full key such as <c>Mesh:Services:orders:Retry:MaxRetries</c>), or null.</summary>
    public ShapeNode? Find(string key) => Walk(key, out _, out _);

    /// <summary>
    /// Checks <paramref name="keys"/> (configuration keys, full paths) under the sections Mesh maps: every key no options class
    /// has, once, with the nearest known key when one is close (<c>Retry:MaxRetry</c> → <c>Retry:MaxRetries</c>).
    /// </summary>
    public IReadOnlyList<string> Misspelled(IEnumerable<string> keys)
    {
        var reported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var warnings = new List<string>();
        foreach (var key in keys)
        {
            if (Walk(key, out var unknownAt, out var parent) is not null || unknownAt is null || !reported.Add(unknownAt))
            {
                continue;
            }

            var segment = unknownAt[(unknownAt.LastIndexOf(':') + 1)..];
            var nearest = parent is SectionNode section ? Nearest(segment, section.Keys) : null;
            warnings.Add(nearest is null
                ? $"{unknownAt} is not a Mesh setting; it is ignored"
                : $"{unknownAt} is not a Mesh setting; it is ignored (did you mean {unknownAt[..^segment.Length]}{nearest}?)");
        }

        return warnings;
    }

    // Inserts node at path, making the sections above it.
    private ConfigurationShape Map(string path, ShapeNode node)
    {
        var segments = path.Split(':');
        var level = _top;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (!level.TryGetValue(segments[i], out var child))
            {
                level[segments[i]] = child = new SectionNode(new Dictionary<string, ShapeNode>(StringComparer.OrdinalIgnoreCase));
            }

            level = child is SectionNode { Children: Dictionary<string, ShapeNode> children }
                ? children
                : throw new InvalidOperationException($"Mesh: {path} is mapped below a value or a section of any keys.");
        }

        level[segments[^1]] = node;
        return this;
    }

    // Walks a key from the top. Null with unknownAt set when a segment is not a known key (parent is the section it is
    // missing from); null with unknownAt null when the key's first segment is no section Mesh maps ("Services", "Logging").
    private ShapeNode? Walk(string key, out string? unknownAt, out ShapeNode? parent)
    {
        unknownAt = null;
        parent = null;
        var first = key.IndexOf(':');
        if (!_top.TryGetValue(first < 0 ? key : key[..first], out var node))
        {
            return null;
        }

        var position = first < 0 ? key.Length : first;
        while (position < key.Length)
        {
            var next = key.IndexOf(':', position + 1);
            var end = next < 0 ? key.Length : next;
            var child = node.Child(key[(position + 1)..end]);
            if (child is null)
            {
                unknownAt = key[..end];
                parent = node;
                return null;
            }

            node = child;
            position = end;
        }

        return node;
    }

    private static IEnumerable<(string Key, bool IsDuration)> LeavesOf(string path, ShapeNode node) => node switch
    {
        SectionNode section => section.Children.SelectMany(child => LeavesOf(path.Length == 0 ? child.Key : $"{path}:{child.Key}", child.Value)),
        AnyKeyNode any => LeavesOf($"{path}:*", any.Child("*")!),
        ValueNode value => [(path, value.IsDuration)],
        _ => [($"{path}:*", false)],
    };

    private ShapeNode NodeOf(Type type)
    {
        if (_classes.TryGetValue(type, out var properties))
        {
            return new SectionNode(properties.ToDictionary(static p => p.Name, p => NodeOf(p.PropertyType), StringComparer.OrdinalIgnoreCase));
        }

        if (type != typeof(string) && ItemOf(type) is { } item)
        {
            return new AnyKeyNode(NodeOf(item));
        }

        return type.IsClass && type != typeof(string)
            ? throw new InvalidOperationException($"Mesh: the options class {type.Name} is not registered with the configuration shape.")
            : new ValueNode(type);
    }

    // The entry type of a dictionary keyed by string, or the item type of a list or array: their keys are free.
    private static Type? ItemOf(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!type.IsGenericType || !typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        var arguments = type.GetGenericArguments();
        return arguments.Length == 2 ? arguments[1] : arguments[0];
    }

    // The known key closest to a misspelled one, if it is close enough: at most two letters in five differ, or one
    // is the other cut short (MaxRetry for MaxRetries).
    private static string? Nearest(string segment, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(segment.ToUpperInvariant(), candidate.ToUpperInvariant());
            var close = distance <= Math.Max(2, segment.Length * 2 / 5) ||
                candidate.StartsWith(segment, StringComparison.OrdinalIgnoreCase) ||
                segment.StartsWith(candidate, StringComparison.OrdinalIgnoreCase);
            if (close && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    // Levenshtein distance.
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
