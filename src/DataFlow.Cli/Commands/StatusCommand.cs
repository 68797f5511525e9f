using System.ComponentModel;
using DataFlow.Engine.Execution.Slurm;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using Spectre.Console;
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
        var table = new Table().Border(TableBorder.Rounded).Title($"run {run.Root}");
        foreach (var h in new[] { "stage", "type", "tasks done", "docs in", "docs out", "dropped", "rejected", "MB in", "MB out", "task s", "training" })
            table.AddColumn(h);
        // Runs submitted to Slurm also show the queue state of unfinished tasks and where failed tasks logged.
        var slurm = SlurmSubmission.Load(run) is not null && SlurmClient.IsAvailable(out _)
            ? new SlurmExecutor(new SlurmClient(), new SlurmOptions()).Inspect(run, session.Pipeline)
            : null;
        if (slurm is not null) table.AddColumn("slurm");
        var json = new Dictionary<string, object>();
        var complete = true;
        foreach (var stage in session.Pipeline.Stages)
        {
            if (!File.Exists(run.ManifestFile(stage.Name)))
            {
                table.AddRow([stage.Name, stage.Type, "not planned", "", "", "", "", "", "", "", "", .. slurm is null ? Array.Empty<string>() : [""]]);
                complete = false;
                continue;
            }
            var manifest = StageManifest.Load(run.ManifestFile(stage.Name));
            var done = manifest.Tasks.Count(t => run.IsDone(stage.Name, t.Index));
            complete &= done == manifest.Tasks.Count;
            var stats = TaskRunner.StageStats(run, manifest);
            var slurmCell = slurm?.Stages.First(s => s.Stage == stage.Name).QueueSummary();
            json[stage.Name] = new { tasks = manifest.Tasks.Count, done, stats.Counters, stats.Values, slurm = slurmCell };
            var dropped = stats.Counters.Where(kv => kv.Key.StartsWith("dropped.", StringComparison.Ordinal)).Sum(kv => kv.Value);
            var training = TrainingStats.Describe(stats); // a training stage shows steps and tokens, not document counts
            table.AddRow([stage.Name, stage.Type, $"{done}/{manifest.Tasks.Count}", training is null ? stats.Counter("docs_in").ToString("N0") : "",
                training is null ? stats.Counter("docs_out").ToString("N0") : "", dropped.ToString("N0"), stats.Counter("docs_rejected").ToString("N0"),
                (stats.Counter("bytes_in") / 1e6).ToString("F1"), (stats.Counter("bytes_out") / 1e6).ToString("F1"),
                stats.Values.GetValueOrDefault("seconds").ToString("F1"), Markup.Escape(training ?? ""), .. slurmCell is null ? Array.Empty<string>() : [slurmCell]]);
        }
        if (settings.Json)
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(json, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        else
            AnsiConsole.Write(table);
        if (slurm is not null && !slurm.IsComplete)
            foreach (var line in slurm.IsActive ? slurm.Failures.Select(f => f.ToString()).ToList() : slurm.Problems())
                Console.Error.WriteLine(line);
        return complete ? ExitCodes.Ok : 4;
    }
}
