using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs.Training.Ppo;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Training;
using DataFlow.Trainer.Ppo;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>PPO on a verifiable set's prompts: actor from an SFT stage, critic and scorer from a reward stage.</summary>
public sealed class PpoStageJob(IReadOnlyList<ConfigSection> layers, StageReference data, StageReference actor, StageReference reward)
    : TrainingStageJob<PpoConfig>(layers, [data, actor, reward])
{
    protected override IReadOnlyList<(int Reference, int Output)> Needs => [(0, 0), (0, 1), (1, -1), (2, -1)];

    protected override IReadOnlyList<string> PipelineKeys => ["prompts", "eval_prompts", "actor", "reward", "output"];

    protected override Dictionary<string, object?> Overrides(IReadOnlyList<string?> inputs, string outputDir) => new()
    {
        ["prompts"] = new[] { inputs[0]! },
        ["eval_prompts"] = new[] { inputs[1]! },
        ["actor"] = inputs[2],
        ["reward"] = inputs[3],
        ["output"] = outputDir,
    };

    protected override PpoConfig Bind(IReadOnlyList<ConfigSection> layers, IReadOnlyDictionary<string, object?> overrides) => PpoJob.Bind(layers, overrides);

    protected override TrainingSummary Train(PpoConfig config, Action<string> log, DataParallel parallel, OnError? onError, TaskProgress progress) =>
        PpoJob.Run(config, log, parallel, onError, progress);
}
