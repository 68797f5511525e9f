using System.Reflection;
using DataFlow.Engine.Config;

namespace DataFlow.Jobs.Quality;

/// <summary>The rule presets of conf/quality/*.yaml, embedded in this assembly so `--preset NAME` works from any folder.</summary>
public static class QualityPresets
{
    private const string Prefix = "quality.preset.";

    public static IReadOnlyList<string> Names { get; } = typeof(QualityPresets).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..^".yaml".Length]).Order(StringComparer.Ordinal).ToList();

    /// <summary>The preset's top-level section (keys: rules, normalize, description).</summary>
    public static ConfigSection Load(string name)
    {
        using var stream = typeof(QualityPresets).Assembly.GetManifestResourceStream(Prefix + name + ".yaml")
            ?? throw new ArgumentException($"unknown quality preset '{name}' (known: {string.Join(", ", Names)})");
        using var reader = new StreamReader(stream);
        return ConfigSection.Parse(reader.ReadToEnd(), $"conf/quality/{name}.yaml");
    }
}
