using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;

namespace DataFlow.Jobs.Classify;

/// <summary>
/// Classify with <c>top_fraction</c>, pass 1 (NAME.scores): task i reads the documents task i of the filter will read
/// and writes the kept label's probability of each, in input order, as float32 records (4 bytes a document).
/// </summary>
public sealed class ClassifyScoresJob(ClassifyOptions options) : IStageJob
{
    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        options.Model.Validate(context);
        var docs = options.Documents;
        IReadOnlyList<IReadOnlyList<string>> inputs = docs.Input is { } patterns
            ? DocumentStageJob.BalancedSplit(InputGlob.Expand(patterns, context.Pipeline.Settings.BaseDir), docs.Tasks)
            : context.PreviousManifest().Tasks.Select(t => (IReadOnlyList<string>)[t.Outputs[0]]).ToList();
        return inputs.Select((files, i) => new TaskPlan(i, files, [ClassifyLayout.ScoreFile(context.OutputDir, i)])).ToList();
    }

    public void Run(TaskContext context)
    {
        var model = options.Model.Load(context);
        var scorer = new DocumentScorer(model, ClassifierModelSource.ResolveLabel(model, options.Keep!.Label));
        using var scores = new RecordFileWriter<float>(context.CreateOutput(context.Plan.Outputs[0]), ClassifyLayout.ScoreKind);
        // Metadata is not needed to score; skipping it is most of the read cost of a wide shard.
        var read = options.Documents.Read with { KeepMetadata = false };
        var rejects = options.Documents.MaskRejects(context.Rejects);
        for (var f = 0; f < context.Inputs.Count; f++)
        {
            var fileIndex = f;
            void OnFraction(double x) => context.Progress.SetFraction((fileIndex + x) / context.Inputs.Count);
            foreach (var doc in DocumentSources.Read(context.Inputs[f], read, rejects, OnFraction))
            {
                context.Cancellation.ThrowIfCancellationRequested();
                context.Stats.Add("docs_scored");
                context.Progress.Advance(1, doc.TextUtf8Length);
                scores.Append(scorer.Score(doc.Text).KeepProbability);
            }
        }
        scores.Complete();
    }
}
