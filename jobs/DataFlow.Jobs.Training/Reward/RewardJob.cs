using DataFlow.Engine.Config;
using DataFlow.Jobs.Training.Sft;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Reward;

namespace DataFlow.Jobs.Training.Reward;

/// <summary><c>dataflow train reward --config FILE</c>: YAML -> <see cref="RewardConfig"/> -> <see cref="RewardTrainer"/>.</summary>
public static class RewardJob
{
    public static int Run(string configPath, Action<string> log, Replicas? replicas = null) =>
        Run(Bind([ConfigSection.LoadFile(configPath)]), log, replicas);

    /// <summary>Binds and checks the keys of <paramref name="layers"/> (first wins), with some set by the caller (a pipeline stage fills in data, model and output paths).</summary>
    public static RewardConfig Bind(IReadOnlyList<ConfigSection> layers, IReadOnlyDictionary<string, object?>? overrides = null)
    {
        var config = TrainingKeys.Bind<RewardConfig>(layers, overrides);
        return TrainingKeys.Validate(layers, () =>
        {
            config.Model?.Validate(); // a fresh model's sizes are keys of this file too
            return config.Validate();
        });
    }

    /// <param name="replicas">MPI data parallelism (null: one process); rank 0 alone logs and writes.</param>
    public static int Run(RewardConfig config, Action<string> log, Replicas? replicas = null)
    {
        replicas ??= Replicas.Single;
        using var rejects = new RejectLog(replicas.IsRoot ? Path.Combine(config.Output, "rejects.jsonl") : null, config.OnError);
        new RewardTrainer(config, ModelTokenizers.Of(config.Init, config.Tokenizer), log) { Replicas = replicas }.Run(rejects);
        if (rejects.Count > 0 && replicas.IsRoot) log($"reward: {rejects.Count} bad or over-long pairs skipped, listed in {config.Output}/rejects.jsonl");
        return 0;
    }
}
