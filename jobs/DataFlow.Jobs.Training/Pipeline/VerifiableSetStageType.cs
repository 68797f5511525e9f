using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary><c>type: verifiable_set</c>: keys <c>train_count</c> (2000), <c>eval_count</c> (300), <c>seed</c> (1), <c>max_operand</c> (20).</summary>
public sealed class VerifiableSetStageType : IStageType
{
    public string Name => "verifiable_set";
    public string Description => "write the synthetic verifiable instruction set (arithmetic, copy, reverse, ...) for SFT, reward and PPO";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings) =>
    [
        new StageDefinition(stageName, Name, new VerifiableSetJob(
            section.GetInt("train_count", 2000, 1, 10_000_000), section.GetInt("eval_count", 300, 1, 1_000_000),
            section.GetInt("seed", 1), section.GetInt("max_operand", 20, 1, 1_000_000))),
    ];
}
