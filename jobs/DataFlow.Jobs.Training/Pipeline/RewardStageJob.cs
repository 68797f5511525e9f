using System.Text.Json.Nodes;
using DataFlow.Jobs.Training.Reward;
using DataFlow.Trainer.Distributed;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>Reward model on a verifiable set's preference pairs, initialized from an earlier SFT stage's model.</summary>
public sealed class RewardStageJob(string configFile, StageReference data, StageReference init) : TrainingStageJob(configFile, [data, init])
{
    protected override IReadOnlyList<(int Reference, int Output)> Needs => [(0, 2), (0, 3), (1, -1)];

    protected override Dictionary<string, JsonNode?> Overrides(IReadOnlyList<string?> inputs, string outputDir) => new()
    {
        ["train"] = new JsonArray(inputs[0]!),
        ["eval"] = new JsonArray(inputs[1]!),
        ["init"] = inputs[2],
        ["output"] = outputDir,
    };

    protected override int Train(string configFile, IReadOnlyDictionary<string, JsonNode?> overrides, Action<string> log, Replicas replicas) =>
        RewardJob.Run(configFile, overrides, log, replicas);
}
