using System.Text.Json.Nodes;
using DataFlow.Engine.Documents;
using DataFlow.Jobs.Training.Sft;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Ppo;

namespace DataFlow.Jobs.Training.Ppo;

/// <summary><c>dataflow train ppo --config FILE</c>: YAML -> <see cref="PpoConfig"/> -> <see cref="PpoTrainer"/>, then the metric plots.</summary>
public static class PpoJob
{
    public static int Run(string configPath, Action<string> log) => Run(configPath, new Dictionary<string, JsonNode?>(), log);

    /// <summary>Runs with some YAML keys set by the caller (a pipeline stage fills in data, model and output paths).</summary>
    public static int Run(string configPath, IReadOnlyDictionary<string, JsonNode?> overrides, Action<string> log)
    {
        var config = TrainingYaml.Load<PpoConfig>(configPath, overrides).Validate();
        using (var rejects = new RejectLog(Path.Combine(config.Output, "rejects.jsonl"), OnError.Skip))
            new PpoTrainer(config, new ByteChatTokenizer(), log).Run(rejects);
        var plots = PpoPlots.Write(Path.Combine(config.Output, "metrics.jsonl"), Path.Combine(config.Output, "plots"));
        log($"ppo: {plots} plots in {Path.Combine(config.Output, "plots")}");
        return 0;
    }
}
