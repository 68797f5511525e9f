using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs.Training.Reward;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Training;
using DataFlow.Trainer.Reward;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>Reward model on a verifiable set's preference pairs, initialized from an earlier SFT stage's model.</summary>
public sealed class RewardStageJob(IReadOnlyList<ConfigSection> layers, StageReference data, StageReference init)
    : TrainingStageJob<RewardConfig>(layers, [data, init])
{
    protected override IReadOnlyList<(int Reference, int Output)> Needs => [(0, 2), (0, 3), (1, -1)];

    protected override IReadOnlyList<string> PipelineKeys => ["train", "eval", "init", "output"];

    protected override Dictionary<string, object?> Overrides(IReadOnlyList<string?> inputs, string outputDir) => new()
    {
        ["train"] = new[] { inputs[0]! },
        ["eval"] = new[] { inputs[1]! },
        ["init"] = inputs[2],
        ["output"] = outputDir,
    };

    protected override RewardConfig Bind(IReadOnlyList<ConfigSection> layers, IReadOnlyDictionary<string, object?> overrides) => RewardJob.Bind(layers, overrides);

    protected override TrainingSummary Train(RewardConfig config, Action<string> log, DataParallel parallel, OnError? onError, TaskProgress progress) =>
        RewardJob.Run(config, log, parallel, onError, progress);
}
