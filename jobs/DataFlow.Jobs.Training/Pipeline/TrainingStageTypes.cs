using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Trainer.Ppo;
using DataFlow.Trainer.Reward;
using DataFlow.Trainer.Sft;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>
/// <c>type: sft | reward | ppo</c>. The training keys (docs/trainer.md, docs/sft.md, docs/rlhf.md) go inline in the
/// stage, or in a training YAML file named by <c>config</c> (optional, e.g. conf/train/sample-sft.yaml), or both:
/// inline keys override the file's. Data, model and output paths are filled in by the pipeline, from where inputs
/// come from, each an earlier stage's name or a path, defaulting to the nearest earlier stage of the named type:
/// sft: <c>data</c> (verifiable_set, or an sft_prepare stage by name), <c>init</c> (pretrain, optional); reward: <c>data</c> (verifiable_set), <c>init</c> (sft);
/// ppo: <c>data</c> (verifiable_set), <c>actor</c> (sft), <c>reward</c> (reward). <c>on_error</c> on the stage overrides the
/// training file's, which overrides the pipeline's.
/// </summary>
public sealed class TrainingStageTypes(string name) : IStageType
{
    public string Name { get; } = name;

    public string Description => Name switch
    {
        "sft" => "supervised fine-tuning (full or LoRA) on a verifiable set, from the pretrained model",
        "reward" => "reward model on preference pairs, from the SFT model",
        _ => "PPO (RLHF): actor from SFT, critic and scorer from the reward model",
    };

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        var layers = Layers(section, settings, Name switch { "sft" => typeof(SftConfig), "reward" => typeof(RewardConfig), _ => typeof(PpoConfig) });
        StageReference Ref(string key, string type, bool required) => StageReference.Read(section, key, type, required, settings);
        // on_error: the stage's own key, else the training file's, else the pipeline's (TrainingStageJob).
        var stageSets = section.Has("on_error");
        var fileSets = layers.Skip(1).Any(l => l.Has("on_error"));
        TrainingStageJob job = Name switch
        {
            "sft" => new SftStageJob(layers, Ref("data", "verifiable_set", true), Ref("init", "pretrain", false)) { StageSetsOnError = stageSets, FileSetsOnError = fileSets }.CheckKeys(),
            "reward" => new RewardStageJob(layers, Ref("data", "verifiable_set", true), Ref("init", "sft", true)) { StageSetsOnError = stageSets, FileSetsOnError = fileSets }.CheckKeys(),
            "ppo" => new PpoStageJob(layers, Ref("data", "verifiable_set", true), Ref("actor", "sft", true), Ref("reward", "reward", true)) { StageSetsOnError = stageSets, FileSetsOnError = fileSets }.CheckKeys(),
            _ => throw new ArgumentException($"unknown training stage type '{Name}'"),
        };
        return [new StageDefinition(stageName, Name, job)];
    }

    /// <summary>Keys of the stage itself (read by the pipeline loader or as references), not training keys.</summary>
    private static readonly string[] StageKeys = ["type", "name", "description", "resources", "output", "config", "data", "init", "actor", "reward"];

    /// <summary>The stage's inline training keys, then the <c>config</c> file's. <c>on_error</c> is both the stage's and, where the record has it, the trainer's.</summary>
    private static IReadOnlyList<ConfigSection> Layers(ConfigSection section, PipelineSettings settings, Type record)
    {
        var inline = section.Except(ConfigBinder.KeysOf(record).Contains("on_error") ? StageKeys : [.. StageKeys, "on_error"]);
        section.Accept([.. inline.Keys]);
        if (section.GetString("config") is not { Length: > 0 } name) return [inline];
        var file = settings.Resolve(name);
        if (!File.Exists(file)) throw section.Error("config", $"training config '{file}' does not exist");
        return [inline, ConfigSection.LoadFile(file)];
    }
}
