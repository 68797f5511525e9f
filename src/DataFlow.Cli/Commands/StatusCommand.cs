using System.ComponentModel;
using DataFlow.Engine.Execution;
using DataFlow.Engine.Execution.Slurm;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class StatusCommand : Command<StatusCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RUN_DIR>")]
        public string RunDir { get; init; } = "";

        [CommandOption("--json")]
        [Description("Print per-stage stats as JSON instead of a table.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var session = RunSession.Open(settings.RunDir);
        var run = session.Run;
        // Runs submitted to Slurm also show the queue state of unfinished tasks and where failed tasks logged.
        var slurm = SlurmSubmission.Load(run) is not null && SlurmClient.IsAvailable(out _)
            ? new SlurmExecutor(new SlurmClient(), new SlurmOptions()).Inspect(run, session.Pipeline)
            : null;
        var rows = new List<StageSummary>();
        var json = new Dictionary<string, object>();
        var complete = true;
        foreach (var stage in session.Pipeline.Stages)
        {
            var training = stage.Job.IsTraining; // a training stage shows steps, tokens and loss, not document counts
            if (!File.Exists(run.ManifestFile(stage.Name)))
            {
                rows.Add(new StageSummary(stage.Name, stage.Type, training, "not planned", new TaskStats(), 0, slurm is null ? null : ""));
                complete = false;
                continue;
            }
            var manifest = StageManifest.Load(run.ManifestFile(stage.Name));
            var done = manifest.Tasks.Count(t => run.IsDone(stage.Name, t.Index));
            complete &= done == manifest.Tasks.Count;
            var stats = TaskRunner.StageStats(run, manifest);
            var slurmCell = slurm?.Stages.First(s => s.Stage == stage.Name).QueueSummary();
            json[stage.Name] = new { tasks = manifest.Tasks.Count, done, stats.Counters, stats.Values, slurm = slurmCell };
            rows.Add(new StageSummary(stage.Name, stage.Type, training, $"{done}/{manifest.Tasks.Count}", stats, stats.Values.GetValueOrDefault("seconds"), slurmCell));
        }
        if (settings.Json)
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(json, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        else
            foreach (var line in RunSummary.Render($"run {run.Root}", rows, TerminalWidth.Detect(Console.IsOutputRedirected), status: true))
                Console.WriteLine(line);
        if (slurm is not null && !slurm.IsComplete)
            foreach (var line in slurm.IsActive ? slurm.Failures.Select(f => f.ToString()).ToList() : slurm.Problems())
                Console.Error.WriteLine(line);
        return complete ? ExitCodes.Ok : 4;
    }
}
