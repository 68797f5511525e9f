using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Interop;
using DataFlow.Trainer.Sft;
using DataFlow.Trainer.Training;

namespace DataFlow.Jobs.Training.Sft;

/// <summary><c>dataflow train sft --config FILE</c>: YAML -> <see cref="SftConfig"/> -> <see cref="SftTrainer"/>, rejects beside the output.</summary>
public static class SftJob
{
    public static TrainingSummary Run(string configPath, Action<string> log, DataParallel? parallel = null) =>
        Run(Bind([ConfigSection.LoadFile(configPath)]), log, parallel);

    /// <summary>Binds and checks the keys of <paramref name="layers"/> (first wins), with some set by the caller (a pipeline stage fills in data, model and output paths).</summary>
    public static SftConfig Bind(IReadOnlyList<ConfigSection> layers, IReadOnlyDictionary<string, object?>? overrides = null)
    {
        var config = TrainingKeys.Bind<SftConfig>(layers, overrides);
        return TrainingKeys.Validate(layers, () =>
        {
            config.Model?.Validate(); // a fresh model's sizes are keys of this file too
            return config.Validate();
        });
    }

    /// <param name="parallel">MPI data parallelism (null: one process); rank 0 alone logs and writes.</param>
    /// <param name="onError">What a bad record does (a pipeline stage's on_error); null: the config's own <c>on_error</c>.</param>
    /// <param name="progress">Where a pipeline stage's display reads the steps done (null: none).</param>
    public static TrainingSummary Run(SftConfig config, Action<string> log, DataParallel? parallel = null, OnError? onError = null, TaskProgress? progress = null)
    {
        parallel ??= DataParallel.Single;
        if (config.Init is { } init) config = config with { Init = HfModelReference.Resolve(init, config.Output, parallel.IsRoot ? log : null) };
        using var rejects = new RejectLog(parallel.IsRoot ? Path.Combine(config.Output, "rejects.jsonl") : null, onError ?? config.OnError);
        var summary = new SftTrainer(config, ModelTokenizers.Of(config.Init, config.Tokenizer), log) { DataParallel = parallel, Progress = progress }.Run(rejects);
        if (rejects.Count > 0 && parallel.IsRoot) log($"sft: {rejects.Count} bad records skipped, listed in {config.Output}/rejects.jsonl");
        return summary with { Rejected = rejects.Count };
    }
}
