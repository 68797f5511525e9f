using System.Globalization;
using DataFlow.Engine.Jobs;

namespace DataFlow.Engine.Execution;

/// <summary>
/// The stage tables of the end-of-run summary and of <c>dataflow status</c>, laid out for a console of a given width
/// (<see cref="TextTable"/>: no row ever wraps; below about 100 columns the least important columns go, folded ones
/// listed under the table). Data stages show documents and bytes; training stages (pretrain, SFT, reward, PPO) have
/// their own table with steps, tokens, tokens/s, the last loss and the last held-out evaluation (PPO: learned
/// reward, KL and true score), and MFU where the trainer measured it.
/// </summary>
public static class RunSummary
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <param name="title">The first line (cut to the width).</param>
    /// <param name="status">The layout of <c>dataflow status</c>: a type column, tasks as "done/total", task seconds and Slurm states.</param>
    public static IReadOnlyList<string> Render(string title, IReadOnlyList<StageSummary> stages, int width, bool status = false)
    {
        var lines = new List<string> { TextTable.Fit(title, Math.Max(20, width)) };
        var data = stages.Where(s => !s.Training).ToList();
        var training = stages.Where(s => s.Training).ToList();
        if (data.Count > 0) lines.AddRange(DataTable(data, status).Render(width));
        if (training.Count > 0)
        {
            if (data.Count > 0) lines.Add("");
            lines.AddRange(TrainingTable(training, status).Render(width));
        }
        return lines;
    }

    private static TextTable DataTable(IReadOnlyList<StageSummary> stages, bool status)
    {
        var table = new TextTable(
        [
            new("stage", RightAligned: false), new("type", RightAligned: false, Priority: status ? 7 : 0), new(status ? "done" : "tasks", Priority: status ? 0 : 4),
            new("docs in"), new("docs out"), new("dropped", Priority: 2), new("rejected", Priority: 5),
            new("MB in", Priority: 3), new("MB out", Priority: 6), new(status ? "task s" : "wall s", Priority: status ? 4 : 1),
            new("slurm", RightAligned: false, Priority: 1, Fold: true),
        ]);
        foreach (var s in stages)
        {
            var planned = s.Stats.Counters.Count > 0 || s.Seconds > 0;
            var dropped = s.Stats.Counters.Where(kv => kv.Key.StartsWith("dropped.", StringComparison.Ordinal)).Sum(kv => kv.Value);
            table.AddRow(s.Stage, status ? s.Type : "", s.Tasks,
                Count(s.Stats.Counter("docs_in"), planned), Count(s.Stats.Counter("docs_out"), planned), Count(dropped, planned),
                Count(s.Stats.Counter("docs_rejected"), planned), Megabytes(s.Stats.Counter("bytes_in"), planned),
                Megabytes(s.Stats.Counter("bytes_out"), planned), planned ? s.Seconds.ToString("F1", Invariant) : "", s.Slurm ?? "");
        }
        return table;
    }

    private static TextTable TrainingTable(IReadOnlyList<StageSummary> stages, bool status)
    {
        var table = new TextTable(
        [
            new("stage", RightAligned: false), new("type", RightAligned: false, Priority: status ? 7 : 0), new(status ? "done" : "tasks", Priority: status ? 0 : 8),
            new("steps"), new("tokens"), new("tok/s"), new("loss"), new("held-out", RightAligned: false, Priority: 1, Fold: true),
            new("MFU", Priority: 3, Fold: true), new(status ? "task s" : "wall s", Priority: status ? 4 : 2),
            new("slurm", RightAligned: false, Priority: 1, Fold: true),
        ]);
        foreach (var s in stages)
        {
            var trained = TrainingStats.IsTraining(s.Stats);
            var values = s.Stats.Values;
            table.AddRow(s.Stage, status ? s.Type : "", status ? s.Tasks : "",
                trained ? s.Stats.Counter(TrainingStats.Steps).ToString("N0", Invariant) : "",
                trained ? s.Stats.Counter(TrainingStats.Tokens).ToString("N0", Invariant) : "",
                trained ? values.GetValueOrDefault(TrainingStats.TokensPerSecond).ToString("N0", Invariant) : "",
                values.TryGetValue(TrainingStats.LastLoss, out var loss) ? loss.ToString("F3", Invariant) : "",
                TrainingStats.HeldOut(s.Stats) ?? "",
                values.TryGetValue(TrainingStats.Mfu, out var mfu) ? TrainingStats.Percent(mfu) : "",
                trained ? s.Seconds.ToString("F1", Invariant) : "", s.Slurm ?? "");
        }
        return table;
    }

    private static string Count(long value, bool planned) => planned ? value.ToString("N0", Invariant) : "";

    private static string Megabytes(long bytes, bool planned) => planned ? (bytes / 1e6).ToString("F1", Invariant) : "";
}
