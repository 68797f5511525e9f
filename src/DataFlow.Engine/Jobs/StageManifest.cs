using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataFlow.Engine.Jobs;

/// <summary>What a stage was planned to do: one entry per task. Written once, atomically, then only read.</summary>
public sealed record StageManifest(string Stage, string Type, IReadOnlyList<TaskPlan> Tasks)
{
    /// <summary>All output paths of every task, in task order.</summary>
    public IEnumerable<string> AllOutputs => Tasks.SelectMany(t => t.Outputs);

    /// <summary>Outputs of every task whose file name starts with <paramref name="prefix"/> (for stages with several outputs per task).</summary>
    public IEnumerable<string> OutputsNamed(string prefix) =>
        AllOutputs.Where(p => Path.GetFileName(p).StartsWith(prefix, StringComparison.Ordinal));

    public static StageManifest Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), RunJson.Default.StageManifest)
                ?? throw new InvalidDataException($"{path}: empty manifest");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: corrupt stage manifest ({e.Message})", e);
        }
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, RunJson.Default.StageManifest));
}
