using DataFlow.Trainer.Model;
using DataFlow.Engine.Config;
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
        Run(Bind([ConfigSection.LoadFile(configPath)]), log, replicas);

    /// <summary>Binds and checks the keys of <paramref name="layers"/> (first wins), with some set by the caller (a pipeline stage fills in data, model and output paths).</summary>
    public static PpoConfig Bind(IReadOnlyList<ConfigSection> layers, IReadOnlyDictionary<string, object?>? overrides = null)
    {
        var config = TrainingKeys.Bind<PpoConfig>(layers, overrides);
        return TrainingKeys.Validate(layers, config.Validate);
    }

    /// <param name="replicas">MPI data parallelism (null: one process); rank 0 alone logs and writes, plots included.</param>
    public static int Run(PpoConfig config, Action<string> log, Replicas? replicas = null)
    {
        replicas ??= Replicas.Single;
        using (var rejects = new RejectLog(replicas.IsRoot ? Path.Combine(config.Output, "rejects.jsonl") : null, OnError.Skip))
            new PpoTrainer(config, ModelTokenizer.Load(config.Actor), log) { Replicas = replicas }.Run(rejects);
        if (!replicas.IsRoot) return 0;
        var plots = PpoPlots.Write(Path.Combine(config.Output, "metrics.jsonl"), Path.Combine(config.Output, "plots"));
        log($"ppo: {plots} plots in {Path.Combine(config.Output, "plots")}");
        return 0;
    }
}
