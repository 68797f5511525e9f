using System.Text.Json.Nodes;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Sft;

namespace DataFlow.Jobs.Training.Sft;

/// <summary><c>dataflow train sft --config FILE</c>: YAML -> <see cref="SftConfig"/> -> <see cref="SftTrainer"/>, rejects beside the output.</summary>
public static class SftJob
{
    public static int Run(string configPath, Action<string> log) => Run(configPath, new Dictionary<string, JsonNode?>(), log);

    /// <summary>Runs with some YAML keys set by the caller (a pipeline stage fills in data, model and output paths).</summary>
    public static int Run(string configPath, IReadOnlyDictionary<string, JsonNode?> overrides, Action<string> log)
    {
        var config = TrainingYaml.Load<SftConfig>(configPath, overrides).Validate();
        using var rejects = new RejectLog(Path.Combine(config.Output, "rejects.jsonl"), config.OnError);
        new SftTrainer(config, new ByteChatTokenizer(), log).Run(rejects);
        if (rejects.Count > 0) log($"sft: {rejects.Count} bad records skipped, listed in {config.Output}/rejects.jsonl");
        return 0;
    }
}
