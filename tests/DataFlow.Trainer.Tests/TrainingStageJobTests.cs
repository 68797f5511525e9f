using System.Text.Json;
using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using DataFlow.Jobs.Training;
using DataFlow.Jobs.Training.Pipeline;

namespace DataFlow.Trainer.Tests;

/// <summary>
/// A training stage run as an engine task: on_error precedence (the stage's key, else the training file's, else the
/// pipeline's) decides whether a bad record stops it or is skipped and counted; the task's stats carry training numbers.
/// </summary>
public sealed class TrainingStageJobTests
{
    private const string BadLine = "{\"prompt\": \"2+2=\", \"completion\": "; // cut off: not JSON

    [Theory]
    [InlineData("on_error: fail", "", "", true)]              // the pipeline's default
    [InlineData("on_error: fail", "", "on_error: skip", false)] // the training file's key beats the pipeline's default
    [InlineData("", "on_error: fail", "on_error: skip", true)]  // the stage's key beats the training file's
    [InlineData("", "", "", false)]                             // nothing set: skip
    public void An_sft_stage_stops_at_a_bad_record_under_fail_and_counts_it_under_skip(string pipelineKey, string stageKey, string fileKey, bool fails)
    {
        var dir = TinyModels.TempDir("stage-on-error");
        var train = Path.Combine(dir, "train.jsonl");
        var good = Enumerable.Range(0, 12).Select(i => JsonSerializer.Serialize(new { prompt = $"{i}+1=", completion = $"{i + 1}" })).ToList();
        File.WriteAllLines(train, [.. good.Take(5), BadLine, .. good.Skip(5)]); // the bad record is line 6
        var eval = Path.Combine(dir, "eval.jsonl");
        File.WriteAllLines(eval, good.Take(2));
        var config = Path.Combine(dir, "sft.yaml");
        File.WriteAllText(config, $"""
            format: prompt_completion
            model: {"{"} vocab_size: 262, dim: 16, layers: 1, heads: 2, context_length: 32 {"}"}
            max_tokens: 32
            max_steps: 2
            batch_size: 2
            warmup_steps: 1
            eval_every: 100
            checkpoint_every: 100
            sample_count: 1
            threads: 1
            {fileKey}
            """);
        var pipeline = PipelineLoader.Load($"""
            {pipelineKey}
            stages:
              - type: sft
                config: {config}
                {stageKey}
            """, "pipeline.yaml", StandardStages.Create().AddTraining(), dir);
        var stage = pipeline.Stages.Single();
        var run = new RunFolder(Path.Combine(dir, "run"));
        var output = Path.Combine(dir, "out");
        var plan = new TaskPlan(0, [train, eval, ""], [Path.Combine(output, TrainingStageJob.SummaryFile)]);

        if (fails)
        {
            var e = Assert.Throws<BadInputException>(() => TaskRunner.Run(run, stage, plan, CancellationToken.None));
            Assert.Contains($"{train}:6", e.Message);
            Assert.False(run.IsDone(stage.Name, 0));
            Assert.False(File.Exists(plan.Outputs[0]));
            return;
        }
        TaskContext? context = null;
        Assert.Equal(TaskRunner.Outcome.Completed, TaskRunner.Run(run, stage, plan, CancellationToken.None, c => context = c));
        var stats = TaskStats.Load(run.TaskStatsFile(stage.Name, 0));
        Assert.Equal(1, stats.Counter("docs_rejected"));
        Assert.Equal(2, stats.Counter(TrainingStats.Steps));
        var summary = JsonDocument.Parse(File.ReadAllText(plan.Outputs[0])).RootElement;
        Assert.Equal(1, summary.GetProperty("rejected").GetInt32());
        Assert.Equal(2, summary.GetProperty("steps").GetInt32());
        // The trainer advanced the task's progress step by step (what the console's live line shows).
        var progress = context!.Progress;
        Assert.Equal((0L, 2L, 2L), (progress.FirstStep, progress.Step, progress.TotalSteps));
        Assert.Equal(summary.GetProperty("tokens").GetInt64(), progress.Tokens);
        Assert.Equal(summary.GetProperty("last_loss").GetDouble(), progress.LastLoss);
        Assert.Contains("line\":6", File.ReadAllText(Path.Combine(output, "rejects.jsonl")));
    }
}
