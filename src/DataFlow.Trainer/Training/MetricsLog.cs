using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataFlow.Trainer.Training;

/// <summary>
/// <c>metrics.jsonl</c>: one JSON object per line (<c>{"step":..,"loss":..}</c> or <c>{"step":..,"val_loss":..}</c>).
/// Opening for a resume at step s drops lines after s, so the file matches what the resumed run will write.
/// Used by pretraining, SFT, reward and PPO (which numbers its lines by <c>iteration</c>).
/// </summary>
public sealed class MetricsLog : IDisposable
{
    private readonly StreamWriter _writer;

    /// <param name="stepKey">The field that numbers a line (<c>step</c>; PPO writes <c>iteration</c>).</param>
    public MetricsLog(string path, long resumeFromStep = -1, string stepKey = "step")
    {
        Path = path;
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var keep = resumeFromStep >= 0 && File.Exists(path)
            ? File.ReadAllLines(path).Where(line => StepOf(line, stepKey) is { } step && step <= resumeFromStep).ToList()
            : [];
        File.WriteAllLines(path, keep);
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    public string Path { get; }

    public void Write(JsonObject record) => _writer.WriteLine(record.ToJsonString());

    /// <summary>Writes <paramref name="record"/> (an anonymous object or dictionary) as one line, serialized with default options.</summary>
    public void Write<T>(T record) => _writer.WriteLine(JsonSerializer.Serialize(record));

    /// <summary>(step, value) pairs of one metric, read back from a metrics file.</summary>
    public static List<(double Step, double Value)> Read(string path, string metric)
    {
        var points = new List<(double, double)>();
        foreach (var line in File.ReadLines(path))
        {
            if (JsonNode.Parse(line) is JsonObject o && o[metric] is { } value && o["step"] is { } step)
                points.Add(((double)step, (double)value));
        }
        return points;
    }

    private static long? StepOf(string line, string stepKey)
    {
        try { return JsonNode.Parse(line)?[stepKey]?.GetValue<long>(); }
        catch (JsonException) { return null; } // a line cut by a kill
    }

    public void Dispose() => _writer.Dispose();

}
