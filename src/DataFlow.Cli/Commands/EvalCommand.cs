using System.ComponentModel;
using DataFlow.Engine.Execution;
using DataFlow.Jobs;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

/// <summary>(Re)runs the eval stage of a run folder, so the trained models can be evaluated again after more training.</summary>
public sealed class EvalCommand : Command<EvalCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RUN_DIR>")]
        [Description("Run folder whose pipeline has a `type: eval` stage.")]
        public string RunDir { get; init; } = "";

        [CommandOption("--stage <NAME>")]
        [Description("Which eval stage, when the pipeline has several (default: the last).")]
        public string? Stage { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var session = RunSession.Open(settings.RunDir);
        var stage = settings.Stage is { } name ? session.Pipeline.Stage(name)
            : session.Pipeline.Stages.LastOrDefault(s => s.Type == "eval")
              ?? throw new ArgumentException($"the pipeline of {session.Run.Root} has no eval stage; add `- type: eval` after the training stages");
        var manifest = session.Planner().Manifest(stage.Name);
        foreach (var task in manifest.Tasks) File.Delete(session.Run.DoneMarker(stage.Name, task.Index));
        using var display = new ConsoleProgressObserver();
        new LocalExecutor(1, display).Run(session.Run, session.Pipeline, cancellation, stage.Name);
        var result = Path.Combine(Path.GetDirectoryName(manifest.Tasks[0].Outputs[0])!, "eval.json");
        Console.WriteLine(File.Exists(result) ? File.ReadAllText(result) : $"eval finished; results in {session.Run.OutputDir(stage)}");
        return ExitCodes.Ok;
    }
}
