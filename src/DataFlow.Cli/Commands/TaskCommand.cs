using System.ComponentModel;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class TaskCommand : Command<TaskCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--run <DIR>")]
        [Description("Run folder (created by `dataflow run` or `dataflow submit`).")]
        public string Run { get; init; } = "";

        [CommandOption("--stage <NAME>")]
        public string Stage { get; init; } = "";

        [CommandOption("--index <I>")]
        [Description("Task index; default: $SLURM_ARRAY_TASK_ID.")]
        public int? Index { get; init; }

        [CommandOption("--count <N>")]
        [Description("Run the N tasks from --index on, one after another (the stage's tasks_per_job); each commits on its own. Default 1.")]
        public int Count { get; init; } = 1;
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) => Run(settings, cancellation);

    /// <summary>
    /// Reads exactly the command lines executors write (<c>task --run R --stage S --index I [--count N]</c>, flags as
    /// <c>--x v</c> or <c>--x=v</c>) without the general parser, which builds the model of every command first (Spectre
    /// reflects over all their settings: a third of a task's start-up, docs/scaleout.md). Anything else (help, a typo,
    /// a bad number) returns null, so the general parser handles it and says what is wrong.
    /// </summary>
    public static Settings? ParseExecutorLine(IReadOnlyList<string> args)
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
        return new Settings { Run = run ?? "", Stage = stage ?? "", Index = index, Count = count ?? 1 };
    }

    public static int Run(Settings settings, CancellationToken cancellation)
    {
        StartupTrace.Mark("task-command");
        if (settings.Run.Length == 0 || settings.Stage.Length == 0) throw new ArgumentException("--run and --stage are required");
        if (settings.Count < 1) throw new ArgumentException($"--count must be at least 1; got {settings.Count}");
        var first = settings.Index
            ?? (int.TryParse(Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID"), out var slurm) ? slurm
                : throw new ArgumentException("--index is required (or run inside a Slurm array job)"));
        var session = RunSession.Open(settings.Run);
        var stage = session.Pipeline.Stage(settings.Stage);
        StartupTrace.Mark("pipeline-loaded");
        var manifest = session.Planner().Manifest(stage.Name);
        if (first < 0 || first >= manifest.Tasks.Count)
            throw new ArgumentException($"stage '{stage.Name}' has tasks 0..{manifest.Tasks.Count - 1}; got --index {first}");
        StartupTrace.Mark("manifest-read");
        // The last group of a stage may be short: tasks_per_job need not divide the number of tasks.
        for (var index = first; index < Math.Min(manifest.Tasks.Count, first + settings.Count); index++)
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
