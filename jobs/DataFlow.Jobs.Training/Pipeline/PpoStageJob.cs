using System.Text.Json.Nodes;
using DataFlow.Jobs.Training.Ppo;
using DataFlow.Trainer.Distributed;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>PPO on a verifiable set's prompts: actor from an SFT stage, critic and scorer from a reward stage.</summary>
public sealed class PpoStageJob(string configFile, StageReference data, StageReference actor, StageReference reward)
    : TrainingStageJob(configFile, [data, actor, reward])
{
    protected override IReadOnlyList<(int Reference, int Output)> Needs => [(0, 0), (0, 1), (1, -1), (2, -1)];

    protected override Dictionary<string, JsonNode?> Overrides(IReadOnlyList<string?> inputs, string outputDir) => new()
    {
        ["prompts"] = new JsonArray(inputs[0]!),
        ["eval_prompts"] = new JsonArray(inputs[1]!),
        ["actor"] = inputs[2],
        ["reward"] = inputs[3],
        ["output"] = outputDir,
    };

    protected override int Train(string configFile, IReadOnlyDictionary<string, JsonNode?> overrides, Action<string> log, Replicas replicas) =>
        PpoJob.Run(configFile, overrides, log, replicas);
}
