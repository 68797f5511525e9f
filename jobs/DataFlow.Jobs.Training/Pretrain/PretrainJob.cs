using System.Globalization;
using System.Text.Json;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Tokens;

namespace DataFlow.Jobs.Training.Pretrain;

/// <summary>
/// The single task of a pretrain stage. Its one engine output is <c>summary.json</c>, published when training
/// completes; checkpoints are published by the trainer itself as they are written, so a killed task resumes.
/// With <c>resources: {ranks: N}</c> it trains data-parallel on N MPI ranks; rank 0 writes and commits.
/// </summary>
public sealed class PretrainJob(PretrainSettings settings, bool explicitOutput) : IStageJob
{
    public const string SummaryFile = "summary.json";

    public int MaxParallelTasks => 1;

    public bool SupportsRanks => true;

    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var data = settings.DataDir ?? (context.Previous is { } previous
            ? context.Run.OutputDir(previous)
            : throw new InvalidOperationException($"stage '{context.Stage.Name}' is the first stage; give it 'data' (a token dataset folder)"));
        var output = explicitOutput ? settings.OutputDir : context.OutputDir;
        return [new TaskPlan(0, [TokenDatasetManifest.PathIn(data)], [Path.Combine(output, SummaryFile)])];
    }

    public void Run(TaskContext context)
    {
        var data = Path.GetDirectoryName(context.Inputs[0])!;
        var summaryPath = context.Plan.Outputs[0];
        var run = settings with { DataDir = data, OutputDir = Path.GetDirectoryName(summaryPath)! };
        var log = new StringWriter(CultureInfo.InvariantCulture);
        var summary = Pipeline.TaskRanks.Run(context, parallel => PretrainRun.Execute(run, resume: true, log, context.Cancellation, parallel));
        if (context.Rank != 0) return; // rank 0 wrote the checkpoints, and exports and commits
        // Later stages (SFT) start from OUT/final, the last checkpoint as a plain model folder.
        if (summary.LastCheckpoint is { } last) Pipeline.ModelFolder.ExportCheckpoint(last, Path.Combine(run.OutputDir, Pipeline.ModelFolder.FinalDir));
        context.Stats.Add("steps", summary.Steps);
        context.Stats.SetValue("final_train_loss", summary.Losses.LastOrDefault());
        if (summary.FinalValLoss is { } val) context.Stats.SetValue("final_val_loss", val);
        context.Stats.SetValue("tokens_per_second", summary.TokensPerSecond);
        File.WriteAllText(context.CreateOutput(summaryPath), JsonSerializer.Serialize(new
        {
            steps = summary.Steps,
            first_step = summary.FirstStep,
            final_train_loss = summary.Losses.LastOrDefault(),
            final_val_loss = summary.FinalValLoss,
            tokens_per_second = summary.TokensPerSecond,
            checkpoint = summary.LastCheckpoint,
            log = log.ToString(),
        }, new JsonSerializerOptions { WriteIndented = true }));
    }
}
