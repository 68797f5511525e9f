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
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (settings.Run.Length == 0 || settings.Stage.Length == 0) throw new ArgumentException("--run and --stage are required");
        var index = settings.Index
            ?? (int.TryParse(Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID"), out var slurm) ? slurm
                : throw new ArgumentException("--index is required (or run inside a Slurm array job)"));
        var session = RunSession.Open(settings.Run);
        var stage = session.Pipeline.Stage(settings.Stage);
        var manifest = session.Planner().Manifest(stage.Name);
        if (index < 0 || index >= manifest.Tasks.Count)
            throw new ArgumentException($"stage '{stage.Name}' has tasks 0..{manifest.Tasks.Count - 1}; got --index {index}");
        var outcome = TaskRunner.Run(session.Run, stage, manifest.Tasks[index], cancellation);
        Console.Error.WriteLine(outcome switch
        {
            TaskRunner.Outcome.AlreadyDone => $"{stage.Name}[{index}] already complete",
            TaskRunner.Outcome.CommittedByRankZero => $"{stage.Name}[{index}] done on this rank; rank 0 commits",
            _ => $"{stage.Name}[{index}] complete",
        });
        return ExitCodes.Ok;
    }
}
