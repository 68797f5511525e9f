using System.Text.Json;

namespace DataFlow.Report;

/// <summary>
/// A trainer's metrics JSONL read back as one series per numeric field against the step (or PPO iteration). Training
/// lines and evaluation lines carry different fields, so each series holds only the rows that had its field.
/// </summary>
internal sealed class MetricsLog
{
    private static readonly string[] StepKeys = ["step", "iteration", "iter"];

    private MetricsLog(string stage, string file, string stepName, SortedDictionary<string, List<(double X, double Y)>> series)
    {
        Stage = stage;
        File = file;
        StepName = stepName;
        Series = series;
    }

    public string Stage { get; }
    public string File { get; }

    /// <summary>"step" or "iteration": what the x axis counts.</summary>
    public string StepName { get; }

    public SortedDictionary<string, List<(double X, double Y)>> Series { get; }

    /// <summary>"pretrain", or "pretrain: NAME" when the file is not the stage's plain metrics.jsonl.</summary>
    public string Title => Path.GetFileNameWithoutExtension(File) == "metrics" ? Stage : $"{Stage}: {Path.GetFileNameWithoutExtension(File)}";

    public IReadOnlyList<(double X, double Y)>? Get(string key) => Series.TryGetValue(key, out var s) ? s : null;

    /// <summary>The series only when it has more than one distinct value (a constant belongs in a table, not a chart).</summary>
    public IReadOnlyList<(double X, double Y)>? Varying(string key) =>
        Get(key) is { } s && s.Select(p => p.Y).Where(double.IsFinite).Distinct().Skip(1).Any() ? s : null;

    public static MetricsLog Load(string stage, string file)
    {
        var series = new SortedDictionary<string, List<(double X, double Y)>>(StringComparer.Ordinal);
        var stepName = "step";
        var row = 0;
        foreach (var line in System.IO.File.ReadLines(file))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument doc;
            // A line cut off by a killed writer is skipped: the report shows what was recorded completely.
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
        return new MetricsLog(stage, file, stepName, series);
    }
}
