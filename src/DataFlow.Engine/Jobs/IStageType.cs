using DataFlow.Engine.Config;

namespace DataFlow.Engine.Jobs;

/// <summary>
/// A stage type that the pipeline YAML names in <c>type:</c>. It reads its keys from the stage's section and
/// returns one or more engine stages (dedup, for instance, becomes signatures -> buckets -> clusters -> filter).
/// </summary>
public interface IStageType
{
    string Name { get; }

    /// <summary>One line for --help and the README.</summary>
    string Description { get; }

    IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings);
}
