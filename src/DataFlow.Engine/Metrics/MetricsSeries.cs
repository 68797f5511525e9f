namespace DataFlow.Engine.Metrics;

/// <summary>What <see cref="MetricsLog.Read"/> found in a metrics file: one (step, value) series per numeric field, by name.</summary>
public sealed class MetricsSeries(string file, string stepName, IReadOnlyList<KeyValuePair<string, IReadOnlyList<(double X, double Y)>>> series)
{
    private readonly Dictionary<string, IReadOnlyList<(double X, double Y)>> _byName = series.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);

    /// <summary>The file read.</summary>
    public string File { get; } = file;

    /// <summary>"step" or "iteration": what the x axis counts.</summary>
    public string StepName { get; } = stepName;

    /// <summary>Every series, by field name in ordinal order.</summary>
    public IReadOnlyList<KeyValuePair<string, IReadOnlyList<(double X, double Y)>>> Series { get; } = series;

    /// <summary>The series of <paramref name="key"/>, or null when no line had it.</summary>
    public IReadOnlyList<(double X, double Y)>? Get(string key) => _byName.GetValueOrDefault(key);

    /// <summary>The series only when it has more than one distinct value (a constant belongs in a table, not a chart).</summary>
    public IReadOnlyList<(double X, double Y)>? Varying(string key) =>
        Get(key) is { } s && s.Select(p => p.Y).Where(double.IsFinite).Distinct().Skip(1).Any() ? s : null;
}
