using System.Globalization;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Tokens;
using DataFlow.Jobs.Training.Pipeline;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Training;

namespace DataFlow.Jobs.Training.Pretrain;

/// <summary>
/// The single task of a pretrain stage (a <see cref="TrainingStageJob"/>): trains on the token dataset of the previous
/// stage (or <c>data</c>), resuming from its newest checkpoint, and publishes the last checkpoint as OUT/final.
/// </summary>
public sealed class PretrainJob(PretrainSettings settings, bool explicitOutput) : TrainingStageJob
{
    public override IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var data = settings.DataDir ?? (context.Previous is { } previous
            ? context.Run.OutputDir(previous)
            : throw new InvalidOperationException($"stage '{context.Stage.Name}' is the first stage; give it 'data' (a token dataset folder)"));
        var output = explicitOutput ? settings.OutputDir : context.OutputDir;
        return [new TaskPlan(0, [TokenDatasetManifest.PathIn(data)], [Path.Combine(output, SummaryFile)])];
    }

    protected override TrainingSummary Train(TaskContext context, string outputDir, DataParallel parallel, Action<string> log)
    {
        var run = settings with { DataDir = Path.GetDirectoryName(context.Inputs[0])!, OutputDir = outputDir };
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        try
        {
            return PretrainRun.Execute(run, resume: true, writer, context.Cancellation, parallel, context.Progress);
        }
        finally
        {
            foreach (var line in writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)) log(line.TrimEnd('\r'));
        }
    }

    /// <summary>Later stages (SFT) start from OUT/final, the last checkpoint as a plain model folder.</summary>
    protected override void Publish(TrainingSummary summary, string outputDir)
    {
        if (summary.LastCheckpoint is { } last) ModelFolder.ExportCheckpoint(last, Path.Combine(outputDir, ModelFolder.FinalDir));
    }
}
