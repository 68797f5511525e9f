using DataFlow.Engine.Jobs;
using DataFlow.Jobs;

namespace DataFlow.Cli.Commands;

/// <summary>
/// What the <c>task</c> command does, apart from the general parser: the exact lines executors write (<c>task --run R
/// --stage S --index I [--count N]</c>) are read here directly, and <see cref="Run"/> runs the tasks such a line names.
/// Nothing here touches Spectre.Console.Cli, so a task process started by an executor never loads it (the general
/// parser first builds the model of every command: a third of a task's start-up, docs/scaleout.md "Start-up").
/// </summary>
public static class TaskLine
{
    /// <summary>A parsed task line; <see cref="Index"/> null means $SLURM_ARRAY_TASK_ID.</summary>
    public sealed record Request(string Run, string Stage, int? Index, int Count);

    /// <summary>
    /// The request of an executor's line (flags as <c>--x v</c> or <c>--x=v</c>), or null for anything else (help, a
    /// typo, a bad number): the general parser then handles it and says what is wrong.
    /// </summary>
    public static Request? Parse(IReadOnlyList<string> args)
    {
        if (args.Count < 2 || args[0] != "task") return null;
        string? run = null, stage = null;
        int? index = null, count = null;
        for (var i = 1; i < args.Count; i++)
        {
            var (flag, value) = args[i].IndexOf('=') is var eq and > 0 ? (args[i][..eq], args[i][(eq + 1)..])
                : i + 1 < args.Count ? (args[i], args[++i]) : (args[i], null);
            if (value is null) return null;
            switch (flag)
            {
                case "--run" when run is null: run = value; break;
                case "--stage" when stage is null: stage = value; break;
                case "--index" when index is null && int.TryParse(value, out var n): index = n; break;
                case "--count" when count is null && int.TryParse(value, out var n): count = n; break;
                default: return null;
            }
        }
        return new Request(run ?? "", stage ?? "", index, count ?? 1);
    }

    public static int Run(Request request, CancellationToken cancellation)
    {
        StartupTrace.Mark("task-command");
        if (request.Run.Length == 0 || request.Stage.Length == 0) throw new ArgumentException("--run and --stage are required");
        if (request.Count < 1) throw new ArgumentException($"--count must be at least 1; got {request.Count}");
        var first = request.Index
            ?? (int.TryParse(Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID"), out var slurm) ? slurm
                : throw new ArgumentException("--index is required (or run inside a Slurm array job)"));
        var session = RunSession.Open(request.Run);
        var stage = session.Pipeline.Stage(request.Stage);
        StartupTrace.Mark("pipeline-loaded");
        var manifest = session.Planner().Manifest(stage.Name);
        if (first < 0 || first >= manifest.Tasks.Count)
            throw new ArgumentException($"stage '{stage.Name}' has tasks 0..{manifest.Tasks.Count - 1}; got --index {first}");
        StartupTrace.Mark("manifest-read");
        // The last group of a stage may be short: tasks_per_job need not divide the number of tasks.
        for (var index = first; index < Math.Min(manifest.Tasks.Count, first + request.Count); index++)
        {
            var outcome = TaskRunner.Run(session.Run, stage, manifest.Tasks[index], cancellation);
            Console.Error.WriteLine(outcome switch
            {
                TaskRunner.Outcome.AlreadyDone => $"{stage.Name}[{index}] already complete",
                TaskRunner.Outcome.CommittedByRankZero => $"{stage.Name}[{index}] done on this rank; rank 0 commits",
                _ => $"{stage.Name}[{index}] complete",
            });
        }
        StartupTrace.Mark("task-done");
        return ExitCodes.Ok;
    }
}
