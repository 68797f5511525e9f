using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>
/// <c>type: sft | reward | ppo</c>. Keys: <c>config</c> (required: a training YAML file with the hyper-parameters,
/// e.g. conf/train/sample-sft.yaml; its data, model and output paths are filled in by the pipeline), and where inputs
/// come from, each an earlier stage's name or a path, defaulting to the nearest earlier stage of the named type:
/// sft: <c>data</c> (verifiable_set), <c>init</c> (pretrain, optional); reward: <c>data</c> (verifiable_set), <c>init</c> (sft);
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
        var config = settings.Resolve(section.RequireString("config"));
        if (!File.Exists(config)) throw section.Error("config", $"training config '{config}' does not exist");
        StageReference Ref(string key, string type, bool required) => StageReference.Read(section, key, type, required, settings);
        // on_error: the stage's own key, else the training file's, else the pipeline's (TrainingStageJob).
        var stageSets = section.Has("on_error");
        var fileSets = ConfigSection.Parse(File.ReadAllText(config), config).Has("on_error");
        TrainingStageJob job = Name switch
        {
            "sft" => new SftStageJob(config, Ref("data", "verifiable_set", true), Ref("init", "pretrain", false)) { StageSetsOnError = stageSets, FileSetsOnError = fileSets },
            "reward" => new RewardStageJob(config, Ref("data", "verifiable_set", true), Ref("init", "sft", true)) { StageSetsOnError = stageSets, FileSetsOnError = fileSets },
            "ppo" => new PpoStageJob(config, Ref("data", "verifiable_set", true), Ref("actor", "sft", true), Ref("reward", "reward", true)) { StageSetsOnError = stageSets, FileSetsOnError = fileSets },
            _ => throw new ArgumentException($"unknown training stage type '{Name}'"),
        };
        return [new StageDefinition(stageName, Name, job)];
    }
}
