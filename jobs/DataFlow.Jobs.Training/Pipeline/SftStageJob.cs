using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs.Training.Sft;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Training;
using DataFlow.Trainer.Sft;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>
/// SFT on a verifiable set's SFT files, or on the shards of an <c>sft_prepare</c> stage (its folder; the held-out rows are
/// then the last eval_fraction of them), starting from an earlier pretrain stage's model when there is one.
/// </summary>
public sealed class SftStageJob(IReadOnlyList<ConfigSection> layers, StageReference data, StageReference init)
    : TrainingStageJob<SftConfig>(layers, [data, init])
{
    protected override IReadOnlyList<(int Reference, int Output)> Needs => [(0, 0), (0, 1), (1, -1)];

    protected override IReadOnlyList<string> PipelineKeys => ["train", "eval", "init", "output"];

    protected override Dictionary<string, object?> Overrides(IReadOnlyList<string?> inputs, string outputDir)
    {
        var keys = new Dictionary<string, object?>
        {
            ["train"] = new[] { inputs[0]! },
            ["eval"] = inputs[1] is { } eval ? new[] { eval } : Array.Empty<string>(),
            ["output"] = outputDir,
        };
        if (inputs[2] is { } model) keys["init"] = model;
        return keys;
    }

    protected override SftConfig Bind(IReadOnlyList<ConfigSection> layers, IReadOnlyDictionary<string, object?> overrides) => SftJob.Bind(layers, overrides);

    protected override TrainingSummary Train(SftConfig config, Action<string> log, DataParallel parallel, OnError? onError, TaskProgress progress) =>
        SftJob.Run(config, log, parallel, onError, progress);
}
