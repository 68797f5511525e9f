using System.Text.Json.Nodes;
using DataFlow.Text.Chat;
using DataFlow.Engine.Documents;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Training;
using DataFlow.Trainer.Sft;

namespace DataFlow.Jobs.Training.Sft;

/// <summary><c>dataflow train sft --config FILE</c>: YAML -> <see cref="SftConfig"/> -> <see cref="SftTrainer"/>, rejects beside the output.</summary>
public static class SftJob
{
    public static TrainingSummary Run(string configPath, Action<string> log, DataParallel? parallel = null) =>
        Run(configPath, new Dictionary<string, JsonNode?>(), log, parallel);

    /// <summary>Runs with some YAML keys set by the caller (a pipeline stage fills in data, model and output paths).</summary>
    /// <param name="onError">What a bad record does (a pipeline stage's on_error); null: the training file's own <c>on_error</c>.</param>
    /// <param name="parallel">MPI data parallelism (null: one process); rank 0 alone logs and writes.</param>
    public static TrainingSummary Run(string configPath, IReadOnlyDictionary<string, JsonNode?> overrides, Action<string> log, DataParallel? parallel = null,
        OnError? onError = null)
    {
        parallel ??= DataParallel.Single;
        var config = TrainingYaml.Load<SftConfig>(configPath, overrides).Validate();
        using var rejects = new RejectLog(parallel.IsRoot ? Path.Combine(config.Output, "rejects.jsonl") : null, onError ?? config.OnError);
        var summary = new SftTrainer(config, ModelTokenizers.Of(config.Init, config.Tokenizer), log) { DataParallel = parallel }.Run(rejects);
        if (rejects.Count > 0 && parallel.IsRoot) log($"sft: {rejects.Count} bad records skipped, listed in {config.Output}/rejects.jsonl");
        return summary with { Rejected = rejects.Count };
    }
}
