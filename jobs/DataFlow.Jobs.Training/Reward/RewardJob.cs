using System.Text.Json.Nodes;
using DataFlow.Jobs.Training.Sft;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Reward;

namespace DataFlow.Jobs.Training.Reward;

/// <summary><c>dataflow train reward --config FILE</c>: YAML -> <see cref="RewardConfig"/> -> <see cref="RewardTrainer"/>.</summary>
public static class RewardJob
{
    public static int Run(string configPath, Action<string> log) => Run(configPath, new Dictionary<string, JsonNode?>(), log);

    /// <summary>Runs with some YAML keys set by the caller (a pipeline stage fills in data, model and output paths).</summary>
    public static int Run(string configPath, IReadOnlyDictionary<string, JsonNode?> overrides, Action<string> log)
    {
        var config = TrainingYaml.Load<RewardConfig>(configPath, overrides).Validate();
        using var rejects = new RejectLog(Path.Combine(config.Output, "rejects.jsonl"), config.OnError);
        new RewardTrainer(config, new ByteChatTokenizer(), log).Run(rejects);
        if (rejects.Count > 0) log($"reward: {rejects.Count} bad or over-long pairs skipped, listed in {config.Output}/rejects.jsonl");
        return 0;
    }
}
