using System.Text.Json;
using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using DataFlow.Jobs.Training;
using DataFlow.Jobs.Training.Pretrain;
using DataFlow.Text.Tokenization;
using DataFlow.Trainer.Checkpoints;

namespace DataFlow.Trainer.Tests;

public sealed class PretrainStageTests
{
    [Fact]
    public void A_pipeline_tokenizes_then_pretrains_on_the_previous_stages_dataset()
    {
        var dir = TinyModels.TempDir("pipeline");
        var corpus = Path.Combine(dir, "corpus.jsonl");
        File.WriteAllLines(corpus, Enumerable.Range(0, 60).Select(i => JsonSerializer.Serialize(new { id = $"d{i}", text = $"the cat sat on the mat number {i % 9}." })));
        var tokenizer = CharacterTokenizer.Train(["the cat sat on the mat number 0123456789."]);
        File.WriteAllText(Path.Combine(dir, "char.json"), tokenizer.ToJson());
        var pipeline = Path.Combine(dir, "pipeline.yaml");
        File.WriteAllText(pipeline, $"""
            workers: 1
            stages:
              - type: tokenize
                name: tokens
                input: {corpus}
                tokenizer: {Path.Combine(dir, "char.json")}
                seq_len: 16
                tasks: 1
                validation_fraction: 0.1
              - type: pretrain
                name: pretrain
                model:
                  dim: 32
                  layers: 1
                  heads: 2
                training:
                  batch_size: 4
                  max_steps: 6
                  warmup_steps: 2
                  eval_every: 3
                  eval_batches: 1
                  checkpoint_every: 3
                  threads: 1
            """);
        var session = RunSession.Create(pipeline, Path.Combine(dir, "run"), StandardStages.Create().AddTraining());
        var watcher = new ProgressWatcher();
        new LocalExecutor(1, watcher).Run(session.Run, session.Pipeline, CancellationToken.None);

        var output = session.Run.OutputDir(session.Pipeline.Stages[^1]);
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, PretrainJob.SummaryFile))).RootElement;
        Assert.Equal(6, summary.GetProperty("steps").GetInt32());
        var checkpoint = summary.GetProperty("checkpoint").GetString()!;
        Assert.Equal(6, TrainingCheckpoint.ReadState(checkpoint).Step);
        Assert.Equal(tokenizer.VocabSize, TrainingCheckpoint.ReadState(checkpoint).Model.VocabSize);

        // What the config implies, by hand: 6 steps x 4 rows x 16 tokens per row (grad_accum 1, one rank) = 384 tokens.
        const long steps = 6, tokens = 6 * 4 * 16;
        Assert.Equal(tokens, summary.GetProperty("tokens").GetInt64());
        Assert.True(summary.GetProperty("last_loss").GetDouble() is > 0 and < 10);
        Assert.True(summary.GetProperty("final_eval").GetProperty("val_loss").GetDouble() > 0);
        var stage = session.Pipeline.Stages[^1];
        var stats = TaskRunner.StageStats(session.Run, StageManifest.Load(session.Run.ManifestFile(stage.Name)));
        Assert.Equal(steps, stats.Counter(TrainingStats.Steps));
        Assert.Equal(tokens, stats.Counter(TrainingStats.Tokens));
        Assert.Equal(0, stats.Counter("docs_in"));

        // The trainer reported its steps through the task's progress, which the console's live line reads.
        var progress = watcher.Finished.Single(t => t.Stage.Name == "pretrain").Progress;
        Assert.True(progress.IsTraining);
        Assert.Equal((0L, steps, steps, tokens), (progress.FirstStep, progress.Step, progress.TotalSteps, progress.Tokens));
        Assert.Equal(summary.GetProperty("last_loss").GetDouble(), progress.LastLoss);

        // dataflow status (JSON) and the HTML report show the same numbers, not "0 docs in, 0 out".
        var status = Cli(dir, null, "status", session.Run.Root, "--json");
        var counters = JsonDocument.Parse(status).RootElement.GetProperty("pretrain").GetProperty("Counters");
        Assert.Equal(steps, counters.GetProperty(TrainingStats.Steps).GetInt64());
        Assert.Equal(tokens, counters.GetProperty(TrainingStats.Tokens).GetInt64());
        // The status table at 80 columns: no line wider, the pretrain row with its steps, tokens and last loss, the held-out loss beside it or under the table.
        var table = Cli(dir, "80", "status", session.Run.Root).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(table, line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        var row = table.Single(l => l.StartsWith("pretrain ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var done = Array.IndexOf(row, "1/1");
        Assert.Equal(["6", "384"], row[(done + 1)..(done + 3)]);
        Assert.Contains(summary.GetProperty("last_loss").GetDouble().ToString("F3", System.Globalization.CultureInfo.InvariantCulture), row);
        Assert.Contains($"val loss {summary.GetProperty("final_eval").GetProperty("val_loss").GetDouble().ToString("F3", System.Globalization.CultureInfo.InvariantCulture)}", string.Join('\n', table));
        var html = File.ReadAllText(new DataFlow.Report.RunReport(session.Run, session.Pipeline, text => text).Write());
        Assert.Contains("6 steps, 384 tokens, ", html);
    }

    /// <summary>Records the tasks that finished (their contexts keep the progress the job reported).</summary>
    private sealed class ProgressWatcher : IExecutionObserver
    {
        public List<TaskContext> Finished { get; } = [];

        public void TaskFinished(TaskContext task) => Finished.Add(task);
    }

    /// <param name="columns">The COLUMNS the command sees (null: unset, 80 as output is redirected).</param>
    private static string Cli(string workingDir, string? columns, params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true };
        if (columns is null) info.Environment.Remove("COLUMNS");
        else info.Environment["COLUMNS"] = columns;
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dataflow.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "dataflow status did not finish");
        Assert.True(process.ExitCode == 0, $"dataflow {string.Join(' ', args)}: exit {process.ExitCode}\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }
}
