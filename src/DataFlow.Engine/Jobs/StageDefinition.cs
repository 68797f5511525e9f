using DataFlow.Engine.Documents;

namespace DataFlow.Engine.Jobs;

/// <summary>One stage of a pipeline: a name unique in the run, the type it came from, its job and error policy.</summary>
public sealed record StageDefinition(string Name, string Type, IStageJob Job, OnError OnError = OnError.Skip)
{
    /// <summary>Explicit output folder (one-stage CLI commands write straight into --output); null means the run folder.</summary>
    public string? OutputDir { get; init; }

    /// <summary>What each task asks a batch scheduler for (the stage's <c>resources:</c> block); unset fields take the submit flags.</summary>
    public StageResources Resources { get; init; } = StageResources.None;
}
