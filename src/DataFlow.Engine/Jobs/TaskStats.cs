using System.Text.Json;

namespace DataFlow.Engine.Jobs;

/// <summary>
/// Counters, values and a few examples recorded by one task; merged per stage by summing.
/// Conventional counter names: docs_in, docs_out, bytes_in, bytes_out, docs_rejected, tokens_out, and
/// "dropped.REASON" for every drop reason. Examples must already be masked by the job that records them.
/// </summary>
public sealed class TaskStats
{
    private readonly Lock _gate = new();

    public SortedDictionary<string, long> Counters { get; init; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, double> Values { get; init; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, List<string>> Examples { get; init; } = new(StringComparer.Ordinal);

    public void Add(string counter, long delta = 1)
    {
        lock (_gate) Counters[counter] = Counters.GetValueOrDefault(counter) + delta;
    }

    /// <summary>Adds to a real-valued total such as seconds spent in a phase.</summary>
    public void AddValue(string name, double delta)
    {
        lock (_gate) Values[name] = Values.GetValueOrDefault(name) + delta;
    }

    public void SetValue(string name, double value)
    {
        lock (_gate) Values[name] = value;
    }

    public void AddExample(string key, string example, int max = 3)
    {
        lock (_gate)
        {
            if (!Examples.TryGetValue(key, out var list)) Examples[key] = list = [];
            if (list.Count < max) list.Add(example);
        }
    }

    public long Counter(string name) => Counters.GetValueOrDefault(name);

    public static TaskStats Merge(IEnumerable<TaskStats> parts, int maxExamples = 3)
    {
        var merged = new TaskStats();
        foreach (var part in parts)
        {
            foreach (var (k, v) in part.Counters) merged.Add(k, v);
            foreach (var (k, v) in part.Values) merged.AddValue(k, v);
            foreach (var (k, list) in part.Examples)
                foreach (var e in list) merged.AddExample(k, e, maxExamples);
        }
        return merged;
    }

    public string ToJson() => JsonSerializer.Serialize(this, RunJson.Default.TaskStats);

    public static TaskStats Load(string path) =>
        JsonSerializer.Deserialize(File.ReadAllText(path), RunJson.Default.TaskStats) ?? new TaskStats();
}
