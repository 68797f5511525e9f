using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs.Training.Sft;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Interop;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Ppo;
using DataFlow.Trainer.Training;

namespace DataFlow.Jobs.Training.Ppo;

/// <summary><c>dataflow train ppo --config FILE</c>: YAML -> <see cref="PpoConfig"/> -> <see cref="PpoTrainer"/>, then the metric plots.</summary>
public static class PpoJob
{
    public static TrainingSummary Run(string configPath, Action<string> log, DataParallel? parallel = null) =>
        Run(Bind([ConfigSection.LoadFile(configPath)]), log, parallel);

    /// <summary>Binds and checks the keys of <paramref name="layers"/> (first wins), with some set by the caller (a pipeline stage fills in data, model and output paths).</summary>
    public static PpoConfig Bind(IReadOnlyList<ConfigSection> layers, IReadOnlyDictionary<string, object?>? overrides = null)
    {
        var config = TrainingKeys.Bind<PpoConfig>(layers, overrides);
        return TrainingKeys.Validate(layers, config.Validate);
    }

    /// <param name="parallel">MPI data parallelism (null: one process); rank 0 alone logs and writes, plots included.</param>
    /// <param name="onError">What a bad prompt record does (a pipeline stage's on_error); null: skip.</param>
    /// <param name="progress">Where a pipeline stage's display reads the steps done (null: none).</param>
    public static TrainingSummary Run(PpoConfig config, Action<string> log, DataParallel? parallel = null, OnError? onError = null, TaskProgress? progress = null)
    {
        parallel ??= DataParallel.Single;
        config = config with { Actor = HfModelReference.Resolve(config.Actor, config.Output, parallel.IsRoot ? log : null) };
        TrainingSummary summary;
        using (var rejects = new RejectLog(parallel.IsRoot ? Path.Combine(config.Output, "rejects.jsonl") : null, onError ?? OnError.Skip))
            summary = new PpoTrainer(config, ModelTokenizer.Load(config.Actor), log) { DataParallel = parallel, Progress = progress }.Run(rejects) with { Rejected = rejects.Count };
        if (!parallel.IsRoot) return summary;
        var plots = PpoPlots.Write(Path.Combine(config.Output, "metrics.jsonl"), Path.Combine(config.Output, "plots"));
        log($"ppo: {plots} plots in {Path.Combine(config.Output, "plots")}");
        return summary;
    }
}
