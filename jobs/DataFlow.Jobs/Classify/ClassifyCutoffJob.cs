using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;

namespace DataFlow.Jobs.Classify;

/// <summary>
/// Classify with <c>top_fraction</c>, pass 2 (NAME.cutoff, one task): reads every task's scores and writes the exact
/// corpus-wide cutoff (<see cref="TopFractionCutoff"/>) to cutoff.json.
/// </summary>
public sealed class ClassifyCutoffJob(ClassifyOptions options, ClassifyLayout layout) : IStageJob
{
    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var scores = context.ManifestOf(layout.Scores).Tasks.Select(t => t.Outputs[0]).ToList();
        return [new TaskPlan(0, scores, [ClassifyLayout.CutoffFile(context.OutputDir)])];
    }

    public int MaxParallelTasks => 1;

    public void Run(TaskContext context)
    {
        var files = context.Inputs.Select(path => RecordFileFormat.ReadInfo(path, sizeof(float), ClassifyLayout.ScoreKind)).ToList();
        var tasks = files.Select(file => (Func<IEnumerable<float>>)(() => Read(file))).ToList();
        var keep = options.Keep!;
        var cutoff = TopFractionCutoff.Compute(keep.Label, keep.TopFraction!.Value, tasks);
        cutoff.Save(context.CreateOutput(context.Plan.Outputs[0]));
        context.Stats.Add("docs_scored", cutoff.Documents);
        context.Stats.Add("docs_to_keep", cutoff.Keep);
        if (cutoff.Keep > 0) context.Stats.SetValue("cutoff_score", cutoff.Threshold);
    }

    private static IEnumerable<float> Read(RecordFileInfo file)
    {
        for (var run = 0; run < file.Runs.Count; run++)
        {
            using var reader = new RecordRunReader<float>(file, run);
            while (reader.MoveNext()) yield return reader.Current;
        }
    }
}
