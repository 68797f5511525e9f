using System.ComponentModel;
using DataFlow.Engine.Execution;
using DataFlow.Jobs;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class RunCommand : Command<RunCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<PIPELINE>")]
        [Description("Pipeline YAML (see conf/pipeline.sample.yaml).")]
        public string Pipeline { get; init; } = "";

        [CommandOption("--run-dir <DIR>")]
        [Description("Run folder; default: the pipeline's run_dir. An existing folder resumes.")]
        public string? RunDir { get; init; }

        [CommandOption("--workers <N>")]
        [Description("Parallel tasks; default: the pipeline's workers (cores).")]
        public int? Workers { get; init; }

        [CommandOption("--stage <NAME>")]
        [Description("Run only this stage (earlier stages must be complete).")]
        public string? Stage { get; init; }

        [CommandOption("--plan-only")]
        [Description("Create the run folder and plan every stage (manifests), then stop: for external executors.")]
        public bool PlanOnly { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var session = RunSession.Create(settings.Pipeline, settings.RunDir);
        Console.Error.WriteLine($"run folder: {session.Run.Root}");
        if (settings.Stage is { } only) session.Pipeline.Stage(only); // unknown stage name: clear error listing the stages
        if (settings.PlanOnly)
        {
            session.Planner().PlanAll();
            return ExitCodes.Ok;
        }
        using var display = new ConsoleProgressObserver();
        try
        {
            new LocalExecutor(settings.Workers ?? session.Pipeline.Settings.Workers, display) { TaskLauncher = SelfLauncher.Command() }
                .Run(session.Run, session.Pipeline, cancellation, settings.Stage);
        }
        finally
        {
            display.PrintSummary();
        }
        return ExitCodes.Ok;
    }
}
