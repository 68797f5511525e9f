using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataFlow.Engine.Metrics;

/// <summary>
/// A trainer's <c>metrics.jsonl</c>: one JSON object per line (<c>{"step":..,"loss":..}</c>, <c>{"step":..,"val_loss":..}</c>;
/// PPO numbers its lines by <c>iteration</c>). Written by pretraining, SFT, reward and PPO; read back by <see cref="Read"/>
/// for the report and the plots. Opening for a resume at step s drops lines after s, so the file matches what the
/// resumed run will write.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    /// <summary>The fields that number a line, in the order they are looked for ("iter" is read as "iteration").</summary>
    private static readonly string[] StepKeys = ["step", "iteration", "iter"];

    private readonly StreamWriter _writer;

    /// <param name="stepKey">The field that numbers a line (<c>step</c>; PPO writes <c>iteration</c>).</param>
    public MetricsLog(string path, long resumeFromStep = -1, string stepKey = "step")
    {
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
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

    public void Dispose() => _writer.Dispose();

    /// <summary>
    /// The file at <paramref name="path"/> as one series per numeric field against the step (or PPO iteration; a line with
    /// neither counts by its position). Training and evaluation lines carry different fields, so each series holds only
    /// the lines that had its field. A line cut off by a killed writer is skipped: what was recorded completely is read.
    /// </summary>
    public static MetricsSeries Read(string path)
    {
        var series = new SortedDictionary<string, List<(double X, double Y)>>(StringComparer.Ordinal);
        var stepName = "step";
        var row = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); } catch (JsonException) { continue; }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object) continue;
                double step = row++;
                foreach (var key in StepKeys)
                    if (doc.RootElement.TryGetProperty(key, out var s) && s.ValueKind == JsonValueKind.Number)
                    {
                        step = s.GetDouble();
                        stepName = key == "iter" ? "iteration" : key;
                        break;
                    }
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (p.Value.ValueKind != JsonValueKind.Number || StepKeys.Contains(p.Name) || p.Name == "epoch") continue;
                    if (!series.TryGetValue(p.Name, out var list)) series[p.Name] = list = [];
                    list.Add((step, p.Value.GetDouble()));
                }
            }
        }
        return new MetricsSeries(path, stepName, series.Select(s => KeyValuePair.Create(s.Key, (IReadOnlyList<(double X, double Y)>)s.Value)).ToList());
    }

    private static long? StepOf(string line, string stepKey)
    {
        try { return JsonNode.Parse(line)?[stepKey]?.GetValue<long>(); }
        catch (JsonException) { return null; } // a line cut by a kill
    }
}
