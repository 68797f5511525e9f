using System.ComponentModel;
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

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) =>
        TaskLine.Run(new TaskLine.Request(settings.Run, settings.Stage, settings.Index, settings.Count), cancellation);
}
