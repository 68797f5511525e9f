using System.Text.Json.Nodes;
using DataFlow.Jobs.Training.Sft;
using DataFlow.Trainer.Distributed;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>
/// SFT on a verifiable set's SFT files, or on the shards of an <c>sft_prepare</c> stage (its folder; the held-out rows are
/// then the last eval_fraction of them), starting from an earlier pretrain stage's model when there is one.
/// </summary>
public sealed class SftStageJob(string configFile, StageReference data, StageReference init) : TrainingStageJob(configFile, [data, init])
{
    protected override IReadOnlyList<(int Reference, int Output)> Needs => [(0, 0), (0, 1), (1, -1)];

    protected override Dictionary<string, JsonNode?> Overrides(IReadOnlyList<string?> inputs, string outputDir)
    {
        var keys = new Dictionary<string, JsonNode?>
        {
            ["train"] = new JsonArray(inputs[0]!),
            ["eval"] = inputs[1] is { } eval ? new JsonArray(eval) : new JsonArray(),
            ["output"] = outputDir,
        };
        if (inputs[2] is { } model) keys["init"] = model;
        return keys;
    }

    protected override int Train(string configFile, IReadOnlyDictionary<string, JsonNode?> overrides, Action<string> log, Replicas replicas) =>
        SftJob.Run(configFile, overrides, log, replicas);
}
