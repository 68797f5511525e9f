using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Classify;

/// <summary>The classify stage's settings, validated when the pipeline is built.</summary>
public sealed record ClassifyOptions
{
    public required DocumentStageOptions Documents { get; init; }
    public required ClassifierModelSource Model { get; init; }

    /// <summary>Column of the top label, as fastText names it (<c>__label__hq</c>); null when the model predicts nothing (an empty document).</summary>
    public string LabelColumn { get; init; } = "class";

    /// <summary>Column of the top label's probability.</summary>
    public string ScoreColumn { get; init; } = "class_score";

    /// <summary>Column of the kept label's probability (written when <see cref="Keep"/> is set).</summary>
    public string KeepScoreColumn { get; init; } = "keep_score";

    public ClassifyKeep? Keep { get; init; }
}
