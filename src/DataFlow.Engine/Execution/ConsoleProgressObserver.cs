using System.Diagnostics;
using DataFlow.Engine.Jobs;
using Spectre.Console;

namespace DataFlow.Engine.Execution;

/// <summary>
/// Live progress on stderr: one refreshed status line per second on a terminal (a line every 15 s otherwise)
/// with tasks done, docs/s, MB/s and ETA; a line per finished stage; a summary table at the end.
/// </summary>
public sealed class ConsoleProgressObserver : IExecutionObserver, IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<TaskContext> _running = [];
    private readonly List<(string Stage, TaskStats Stats, TimeSpan Elapsed, int Tasks)> _finished = [];
    private readonly bool _interactive = !Console.IsErrorRedirected;
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
        lock (_gate) _finished.Add((stage.Name, stats, elapsed, _total));
        var docsIn = stats.Counter("docs_in");
        var mb = stats.Counter("bytes_in") / 1e6;
        var rate = elapsed.TotalSeconds > 0 ? $", {mb / elapsed.TotalSeconds:F1} MB/s" : "";
        WriteLine(TrainingStats.Describe(stats) is { } training
            ? $"stage {stage.Name} done in {elapsed.TotalSeconds:F1}s: {training}"
            : $"stage {stage.Name} done in {elapsed.TotalSeconds:F1}s: {docsIn:N0} docs in, {stats.Counter("docs_out"):N0} out{rate}");
    }

    private void Render()
    {
        string line;
        lock (_gate)
        {
            if (_stage is null || _done >= _total) return;
            var docs = _docsFinished + _running.Sum(t => t.Progress.Docs);
            var bytes = _bytesFinished + _running.Sum(t => t.Progress.Bytes);
            var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
            var fraction = (_done + _running.Sum(t => t.Progress.Fraction)) / Math.Max(1, _total);
            var eta = fraction > 0.01 ? TimeSpan.FromSeconds(seconds * (1 - fraction) / fraction).ToString(@"hh\:mm\:ss") : "--:--:--";
            line = $"  {_stage.Name}: {_done}/{_total} tasks, {fraction:P0}, {docs / seconds:N0} docs/s, {bytes / seconds / 1e6:F1} MB/s, ETA {eta}";
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

    /// <summary>The end-of-run table: one row per stage run in this invocation.</summary>
    public void PrintSummary()
    {
        if (_finished.Count == 0) return;
        var table = new Table().Border(TableBorder.Rounded).Title("DataFlow run summary");
        foreach (var h in new[] { "stage", "tasks", "docs in", "docs out", "dropped", "rejected", "MB in", "MB out", "wall s" })
            table.AddColumn(new TableColumn(h).RightAligned());
        var training = _finished.Any(f => TrainingStats.IsTraining(f.Stats));
        if (training) table.AddColumn(new TableColumn("training").LeftAligned());
        foreach (var (stage, stats, elapsed, tasks) in _finished)
        {
            var dropped = stats.Counters.Where(kv => kv.Key.StartsWith("dropped.", StringComparison.Ordinal)).Sum(kv => kv.Value);
            // A training stage reads no documents: its row shows steps and tokens instead of "0 docs in, 0 out".
            var trained = TrainingStats.Describe(stats);
            string[] row = [stage, tasks.ToString(), trained is null ? stats.Counter("docs_in").ToString("N0") : "", trained is null ? stats.Counter("docs_out").ToString("N0") : "",
                dropped.ToString("N0"), stats.Counter("docs_rejected").ToString("N0"), (stats.Counter("bytes_in") / 1e6).ToString("F1"),
                (stats.Counter("bytes_out") / 1e6).ToString("F1"), elapsed.TotalSeconds.ToString("F1")];
            table.AddRow(training ? [.. row, trained ?? ""] : row);
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Write(table);
    }

    public void Dispose() => _timer.Dispose();
}
