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
        [Description("Create the run folder and plan every stage (manifests), print tasks and files per stage, then stop: for external executors and sizing.")]
        public bool PlanOnly { get; init; }

        [CommandOption("--docs <N>")]
        [Description("With --plan-only: size memory and disk estimates of dedup stages for N documents.")]
        public long? Docs { get; init; }

        [CommandOption("--doc-bytes <BYTES>")]
        [Description("With --plan-only --docs: mean UTF-8 bytes per document (default 4000).")]
        public long DocBytes { get; init; } = 4000;

        [CommandOption("--duplicate-share <F>")]
        [Description("With --plan-only --docs: share of documents in some duplicate pair (default 0.2).")]
        public double DuplicateShare { get; init; } = 0.2;

        public override Spectre.Console.ValidationResult Validate()
        {
            if (!PlanOnly && (Docs is not null)) return Spectre.Console.ValidationResult.Error("--docs sizes the estimates of --plan-only: add --plan-only");
            if (Docs is < 1) return Spectre.Console.ValidationResult.Error($"--docs {Docs} must be at least 1");
            if (DocBytes < 1) return Spectre.Console.ValidationResult.Error($"--doc-bytes {DocBytes} must be at least 1");
            if (DuplicateShare is < 0 or > 1 || double.IsNaN(DuplicateShare)) return Spectre.Console.ValidationResult.Error($"--duplicate-share {DuplicateShare} must be in [0, 1]");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var session = RunSession.Create(settings.Pipeline, settings.RunDir);
        Console.Error.WriteLine($"run folder: {session.Run.Root}");
        if (settings.Stage is { } only) session.Pipeline.Stage(only); // unknown stage name: clear error listing the stages
        if (settings.PlanOnly)
        {
            session.Planner().PlanAll();
            PlanReport.Write(session, Console.Out, settings.Docs, settings.DocBytes, settings.DuplicateShare);
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
