using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DataFlow.Engine.Config;

/// <summary>
/// A YAML mapping read with typed getters that know where each value came from, so every error names the
/// file, line and key. Keys a component reads are remembered; <see cref="EnsureAllKeysUsed"/> rejects the rest.
/// </summary>
public sealed class ConfigSection
{
    private readonly YamlMappingNode _node;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private readonly long? _line;

    public ConfigSection(YamlMappingNode node, string file, string path)
    {
        _node = node;
        File = file;
        Path = path;
    }

    private ConfigSection(YamlMappingNode node, string file, string path, long line) : this(node, file, path) => _line = line;

    public string File { get; }

    /// <summary>Dotted key path of this section, for messages ("stages[2].minhash").</summary>
    public string Path { get; }

    public long Line => _line ?? _node.Start.Line;

    public static ConfigSection Empty(string file, string path) => new(new YamlMappingNode(), file, path);

    public static ConfigSection LoadFile(string file) => Parse(System.IO.File.ReadAllText(file), file);

    public static ConfigSection Parse(string yaml, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigException($"{file}:{e.Start.Line}: invalid YAML: {e.InnerException?.Message ?? e.Message}");
        }
        if (stream.Documents.Count == 0) return Empty(file, "");
        return stream.Documents[0].RootNode is YamlMappingNode map
            ? new ConfigSection(map, file, "")
            : throw new ConfigException($"{file}:{stream.Documents[0].RootNode.Start.Line}: expected a mapping of keys at the top level");
    }

    public IEnumerable<string> Keys => _node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "");

    public bool Has(string key) => Find(key) is not null;

    /// <summary>The key is present with a value other than null (<c>~</c>, <c>null</c> or nothing).</summary>
    public bool HasValue(string key) => Find(key) is { } node && node is not YamlScalarNode { Style: ScalarStyle.Plain, Value: "~" or "null" or "" };

    /// <summary>The same keys less <paramref name="keys"/>, read and checked on their own (a stage's training keys without its pipeline keys).</summary>
    public ConfigSection Except(params string[] keys)
    {
        var map = new YamlMappingNode();
        foreach (var (key, value) in _node.Children)
            if (!keys.Contains((key as YamlScalarNode)?.Value ?? "")) map.Children.Add(key, value);
        return new ConfigSection(map, File, Path, Line);
    }

    public ConfigException Missing(string key) => new($"{File}:{Line}: missing required key '{Qualify(key)}'");

    public string Where(string key)
    {
        var node = Find(key);
        return $"{File}:{(node?.Start.Line ?? Line)}: key '{Qualify(key)}'";
    }

    public ConfigException Error(string key, string problem) => new($"{Where(key)}: {problem}");

    public string? GetString(string key, string? fallback = null)
    {
        var node = Use(key);
        if (node is null) return fallback;
        if (node is YamlScalarNode s) return s.Value;
        throw Error(key, "expected a single value");
    }

    public string RequireString(string key) =>
        GetString(key) is { Length: > 0 } value ? value : throw Missing(key);

    public int GetInt(string key, int fallback, int min = int.MinValue, int max = int.MaxValue) =>
        (int)GetLong(key, fallback, min, max);

    public long GetLong(string key, long fallback, long min = long.MinValue, long max = long.MaxValue)
    {
        var text = GetString(key);
        if (text is null) return fallback;
        var clean = text.Replace("_", "");
        if (!long.TryParse(clean, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            if (double.TryParse(clean, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e15)
                value = (long)d;
            else
                throw Error(key, $"expected an integer, got '{text}'");
        }
        if (value < min || value > max) throw Error(key, $"{value} is out of range [{min}, {max}]");
        return value;
    }

    public double GetDouble(string key, double fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        var text = GetString(key);
        if (text is null) return fallback;
        if (!double.TryParse(text.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value))
            throw Error(key, $"expected a number, got '{text}'");
        if (value < min || value > max) throw Error(key, $"{value} is out of range [{min}, {max}]");
        return value;
    }

    public bool GetBool(string key, bool fallback)
    {
        var text = GetString(key);
        if (text is null) return fallback;
        return text.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw Error(key, $"expected true or false, got '{text}'"),
        };
    }

    public T GetEnum<T>(string key, T fallback) where T : struct, Enum
    {
        var text = GetString(key);
        if (text is null) return fallback;
        return Enum.TryParse<T>(text.Replace("_", ""), ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw Error(key, $"expected one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}, got '{text}'");
    }

    /// <summary>A list of scalars; a single scalar is accepted as a one-element list.</summary>
    public IReadOnlyList<string>? GetStringList(string key)
    {
        var node = Use(key);
        return node switch
        {
            null => null,
            YamlScalarNode s => [s.Value ?? ""],
            YamlSequenceNode seq => seq.Children.Select((c, i) => c is YamlScalarNode s ? s.Value ?? "" : throw Error(key, $"item {i} must be a single value")).ToList(),
            _ => throw Error(key, "expected a list of values"),
        };
    }

    public ConfigSection? GetSection(string key)
    {
        var node = Use(key);
        return node switch
        {
            null => null,
            YamlMappingNode map => new ConfigSection(map, File, Qualify(key)),
            YamlScalarNode { Value: null or "" or "~" or "null" } => null,
            _ => throw Error(key, "expected a mapping of keys"),
        };
    }

    public IReadOnlyList<ConfigSection> GetSectionList(string key)
    {
        var node = Use(key);
        return node switch
        {
            null => [],
            YamlSequenceNode seq => seq.Children.Select((c, i) => c is YamlMappingNode map
                ? new ConfigSection(map, File, $"{Qualify(key)}[{i}]")
                : throw new ConfigException($"{File}:{c.Start.Line}: '{Qualify(key)}[{i}]' must be a mapping of keys")).ToList(),
            _ => throw Error(key, "expected a list"),
        };
    }

    /// <summary>Marks a key as known without reading it (keys consumed by another component).</summary>
    public void Accept(params string[] keys)
    {
        foreach (var key in keys) _used.Add(key);
    }

    /// <summary>Throws for the first key nobody read, naming its line and the closest known key.</summary>
    public void EnsureAllKeysUsed(IEnumerable<string>? knownKeys = null)
    {
        foreach (var (keyNode, _) in _node.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (_used.Contains(key)) continue;
            var candidates = (knownKeys ?? _used).ToList();
            var hint = Closest(key, candidates) is { } close ? $" (did you mean '{close}'?)" : "";
            throw new ConfigException($"{File}:{keyNode.Start.Line}: unknown key '{Qualify(key)}'{hint}");
        }
    }

    private YamlNode? Find(string key) =>
        _node.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private YamlNode? Use(string key)
    {
        _used.Add(key);
        var node = Find(key);
        return node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "~" or "null" or "" } ? null : node;
    }

    private string Qualify(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    private static string? Closest(string key, IReadOnlyList<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            var d = EditDistance(key, c);
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        return bestDistance <= Math.Max(2, key.Length / 3) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
