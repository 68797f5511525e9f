using DataFlow.Trainer.Model;
using System.Text.Json.Nodes;
using DataFlow.Engine.Documents;
using DataFlow.Jobs.Training.Sft;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Ppo;

namespace DataFlow.Jobs.Training.Ppo;

/// <summary><c>dataflow train ppo --config FILE</c>: YAML -> <see cref="PpoConfig"/> -> <see cref="PpoTrainer"/>, then the metric plots.</summary>
public static class PpoJob
{
    public static int Run(string configPath, Action<string> log, Replicas? replicas = null) =>
        Run(configPath, new Dictionary<string, JsonNode?>(), log, replicas);

    /// <summary>Runs with some YAML keys set by the caller (a pipeline stage fills in data, model and output paths).</summary>
    /// <param name="replicas">MPI data parallelism (null: one process); rank 0 alone logs and writes, plots included.</param>
    public static int Run(string configPath, IReadOnlyDictionary<string, JsonNode?> overrides, Action<string> log, Replicas? replicas = null)
    {
        replicas ??= Replicas.Single;
        var config = TrainingYaml.Load<PpoConfig>(configPath, overrides).Validate();
        using (var rejects = new RejectLog(replicas.IsRoot ? Path.Combine(config.Output, "rejects.jsonl") : null, OnError.Skip))
            new PpoTrainer(config, ModelTokenizer.Load(config.Actor), log) { Replicas = replicas }.Run(rejects);
        if (!replicas.IsRoot) return 0;
        var plots = PpoPlots.Write(Path.Combine(config.Output, "metrics.jsonl"), Path.Combine(config.Output, "plots"));
        log($"ppo: {plots} plots in {Path.Combine(config.Output, "plots")}");
        return 0;
    }
}
