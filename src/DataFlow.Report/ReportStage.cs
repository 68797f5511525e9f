using DataFlow.Engine.Jobs;

namespace DataFlow.Report;

/// <summary>A stage of the run as the report sees it: its definition, manifest, merged stats of completed tasks, tasks done.</summary>
internal sealed record ReportStage(StageDefinition Definition, StageManifest Manifest, TaskStats Stats, int Done)
{
    public string Name => Definition.Name;
    public int Tasks => Manifest.Tasks.Count;
    public bool IsTraining => TrainingStats.IsTraining(Stats);
    public double? Value(string key) => Stats.Values.TryGetValue(key, out var v) && double.IsFinite(v) ? v : null;
}
