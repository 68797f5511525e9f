using System.Diagnostics;
using System.Globalization;
using DataFlow.Engine.Jobs;

namespace DataFlow.Engine.Execution;

/// <summary>
/// Live progress on stderr: one refreshed status line per second on a terminal (a line every 15 s otherwise) with
/// tasks done, ETA, docs/s and MB/s, or for a training stage steps done / total, ETA, the last loss (PPO: reward and
/// KL) and tokens/s, each line cut to the console's width part by part; a line per finished stage; at the end the <see cref="RunSummary"/> tables, at the console's width
/// (<see cref="TerminalWidth"/>).
/// </summary>
public sealed class ConsoleProgressObserver : IExecutionObserver, IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<TaskContext> _running = [];
    private readonly List<StageSummary> _finished = [];
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private readonly int _width;
    private readonly Timer _timer;
    private StageDefinition? _stage;
    private int _total;
    private int _done;
    private long _docsFinished;
    private long _bytesFinished;
    private Stopwatch _clock = new();
    private int _lastWidth;

    public ConsoleProgressObserver()
    {
        _width = TerminalWidth.Detect(Console.IsErrorRedirected);
        var period = _interactive ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(15);
        _timer = new Timer(_ => Render(), null, period, period);
    }

    public void StageStarted(StageDefinition stage, StageManifest manifest, int alreadyDone)
    {
        lock (_gate)
        {
            _stage = stage;
            _total = manifest.Tasks.Count;
            _done = alreadyDone;
            _docsFinished = _bytesFinished = 0;
            _clock = Stopwatch.StartNew();
        }
        var resumed = alreadyDone > 0 ? $" ({alreadyDone} already done)" : "";
        WriteLine($"stage {stage.Name} [{stage.Type}]: {manifest.Tasks.Count} task(s){resumed}");
    }

    public void TaskStarted(TaskContext task)
    {
        lock (_gate) _running.Add(task);
    }

    public void TaskFinished(TaskContext task)
    {
        lock (_gate)
        {
            _running.Remove(task);
            _done++;
            _docsFinished += task.Progress.Docs;
            _bytesFinished += task.Progress.Bytes;
        }
    }

    public void StageFinished(StageDefinition stage, TaskStats stats, TimeSpan elapsed)
    {
        lock (_gate) _finished.Add(new StageSummary(stage.Name, stage.Type, stage.Job.IsTraining, _total.ToString(CultureInfo.InvariantCulture), stats, elapsed.TotalSeconds));
        var docsIn = stats.Counter("docs_in");
        var mb = stats.Counter("bytes_in") / 1e6;
        var rate = elapsed.TotalSeconds > 0 ? $", {mb / elapsed.TotalSeconds:F1} MB/s" : "";
        // A stage that reads no documents (training, the exchange stages of dedup and tokenize, eval) says no "0 docs in, 0 out".
        var line = TrainingStats.Describe(stats) is { } training ? $"stage {stage.Name} done in {elapsed.TotalSeconds:F1}s: {training}"
            : docsIn == 0 && stats.Counter("docs_out") == 0 ? $"stage {stage.Name} done in {elapsed.TotalSeconds:F1}s"
            : $"stage {stage.Name} done in {elapsed.TotalSeconds:F1}s: {docsIn:N0} docs in, {stats.Counter("docs_out"):N0} out{rate}";
        foreach (var part in WrapAtCommas(line, _width)) WriteLine(part);
    }

    private void Render()
    {
        string line;
        lock (_gate)
        {
            if (_stage is null || _done >= _total) return;
            // A line as wide as the console would wrap, and "\r" would then redraw only its last part.
            var width = Math.Max(20, _width - 1);
            line = _running.FirstOrDefault(t => t.Progress.IsTraining) is { } training ? TrainingLine(_stage.Name, training.Progress, width)
                : _stage.Job.IsTraining ? TextTable.Fit(string.Create(CultureInfo.InvariantCulture, $"  {_stage.Name}: preparing to train, {_clock.Elapsed.TotalSeconds:F0} s"), width)
                : DataLine(width);
        }
        if (_interactive)
        {
            var pad = Math.Max(0, _lastWidth - line.Length);
            _lastWidth = line.Length;
            Console.Error.Write("\r" + line + new string(' ', pad));
        }
        else
        {
            Console.Error.WriteLine(line);
        }
    }

    private string DataLine(int width)
    {
        var docs = _docsFinished + _running.Sum(t => t.Progress.Docs);
        var bytes = _bytesFinished + _running.Sum(t => t.Progress.Bytes);
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
        var fraction = (_done + _running.Sum(t => t.Progress.Fraction)) / Math.Max(1, _total);
        var eta = fraction > 0.01 ? Clock(TimeSpan.FromSeconds(seconds * (1 - fraction) / fraction)) : "--:--:--";
        var c = CultureInfo.InvariantCulture;
        return Line(_stage!.Name, [string.Create(c, $"{_done}/{_total} tasks, {100 * fraction:F0}%"), $"ETA {eta}",
            string.Create(c, $"{docs / seconds:N0} docs/s"), string.Create(c, $"{bytes / seconds / 1e6:F1} MB/s")], width);
    }

    /// <summary>
    /// "  pretrain: step 120/250 (48%), ETA 00:01:10, loss 1.234, 5,123 tok/s" (PPO: its iteration's reward and KL
    /// before the loss), at most <paramref name="width"/> characters: the parts at the end go first.
    /// </summary>
    public static string TrainingLine(string stage, TaskProgress progress, int width)
    {
        var c = CultureInfo.InvariantCulture;
        var (step, total) = (progress.Step, progress.TotalSteps);
        var seconds = progress.TrainingElapsed.TotalSeconds;
        var parts = new List<string>
        {
            string.Create(c, $"step {step:N0}/{total:N0} ({100.0 * step / total:F0}%)"),
            "ETA " + (progress.Eta is { } eta ? Clock(eta) : "--:--:--"),
        };
        if (progress.LastReward is { } reward) parts.Add(string.Create(c, $"reward {reward:F3}"));
        if (progress.LastKl is { } kl) parts.Add(string.Create(c, $"KL {kl:F3}"));
        if (progress.LastLoss is { } loss) parts.Add(string.Create(c, $"loss {loss:F3}"));
        if (seconds > 0 && progress.Tokens > 0) parts.Add(string.Create(c, $"{progress.Tokens / seconds:N0} tok/s"));
        return Line(stage, parts, width);
    }

    /// <summary>"  stage: part, part, ..." with as many parts, in order, as fit in <paramref name="width"/>.</summary>
    private static string Line(string stage, IReadOnlyList<string> parts, int width)
    {
        var line = new System.Text.StringBuilder($"  {stage}: {parts[0]}");
        foreach (var part in parts.Skip(1))
        {
            if (line.Length + 2 + part.Length > width) break;
            line.Append(", ").Append(part);
        }
        return TextTable.Fit(line.ToString(), width);
    }

    /// <summary>A "a, b, c" line wrapped after commas to <paramref name="width"/>, continuation lines indented by four.</summary>
    public static IEnumerable<string> WrapAtCommas(string text, int width)
    {
        var parts = text.Split(", ");
        var line = new System.Text.StringBuilder(parts[0]);
        foreach (var part in parts.Skip(1))
        {
            if (line.Length + 2 + part.Length + 1 > width) // + 1: room for the comma should a break follow
            {
                yield return TextTable.Fit(line.Append(',').ToString(), width);
                line.Clear().Append("    ").Append(part);
            }
            else
            {
                line.Append(", ").Append(part);
            }
        }
        yield return TextTable.Fit(line.ToString(), width);
    }

    private static string Clock(TimeSpan span) => span.TotalHours >= 100 ? $"{(int)span.TotalHours}h" : $"{(int)span.TotalHours:00}:{span.Minutes:00}:{span.Seconds:00}";

    private void WriteLine(string text)
    {
        lock (_gate)
        {
            if (_interactive && _lastWidth > 0)
            {
                Console.Error.Write("\r" + new string(' ', _lastWidth) + "\r");
                _lastWidth = 0;
            }
            Console.Error.WriteLine(text);
        }
    }

    /// <summary>The end-of-run tables: one row per stage run in this invocation, at the console's width.</summary>
    public void PrintSummary()
    {
        List<StageSummary> finished;
        lock (_gate) finished = [.. _finished];
        if (finished.Count == 0) return;
        foreach (var line in RunSummary.Render("DataFlow run summary", finished, _width)) Console.Error.WriteLine(line);
    }

    public void Dispose() => _timer.Dispose();
}
