using DataFlow.Trainer.Model;
using System.Text.Json.Nodes;
using DataFlow.Engine.Documents;
using DataFlow.Jobs.Training.Sft;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Ppo;
using DataFlow.Trainer.Training;

namespace DataFlow.Jobs.Training.Ppo;

/// <summary><c>dataflow train ppo --config FILE</c>: YAML -> <see cref="PpoConfig"/> -> <see cref="PpoTrainer"/>, then the metric plots.</summary>
public static class PpoJob
{
    public static TrainingSummary Run(string configPath, Action<string> log, DataParallel? parallel = null) =>
        Run(configPath, new Dictionary<string, JsonNode?>(), log, parallel);

    /// <summary>Runs with some YAML keys set by the caller (a pipeline stage fills in data, model and output paths).</summary>
    /// <param name="onError">What a bad record does (a pipeline stage's on_error); null: skip.</param>
    /// <param name="parallel">MPI data parallelism (null: one process); rank 0 alone logs and writes, plots included.</param>
    public static TrainingSummary Run(string configPath, IReadOnlyDictionary<string, JsonNode?> overrides, Action<string> log, DataParallel? parallel = null,
        OnError? onError = null)
    {
        parallel ??= DataParallel.Single;
        var config = TrainingYaml.Load<PpoConfig>(configPath, overrides).Validate();
        TrainingSummary summary;
        using (var rejects = new RejectLog(parallel.IsRoot ? Path.Combine(config.Output, "rejects.jsonl") : null, onError ?? OnError.Skip))
            summary = new PpoTrainer(config, ModelTokenizer.Load(config.Actor), log) { DataParallel = parallel }.Run(rejects) with { Rejected = rejects.Count };
        if (!parallel.IsRoot) return summary;
        var plots = PpoPlots.Write(Path.Combine(config.Output, "metrics.jsonl"), Path.Combine(config.Output, "plots"));
        log($"ppo: {plots} plots in {Path.Combine(config.Output, "plots")}");
        return summary;
    }
}
