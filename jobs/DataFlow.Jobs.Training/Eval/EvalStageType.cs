using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs.Training.Pipeline;

namespace DataFlow.Jobs.Training.Eval;

/// <summary>
/// <c>type: eval</c>. Keys: <c>prompts</c> (300 held-out prompts), <c>validation_rows</c> (256), <c>max_new_tokens</c> (12),
/// <c>samples_shown</c> (12), <c>threads</c>; and where things come from (stage names or paths; default the nearest
/// earlier stage of that type): <c>data</c> (verifiable_set), <c>tokens</c> (tokenize), <c>pretrain</c>, <c>sft</c>,
/// <c>reward</c>, <c>ppo</c> (each optional but data).
/// </summary>
public sealed class EvalStageType : IStageType
{
    public string Name => "eval";
    public string Description => "evaluate the trained models: validation perplexity, exact match, reward accuracy, PPO vs SFT win rate";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        StageReference Ref(string key, string type, bool required = false) => StageReference.Read(section, key, type, required, settings);
        var options = new EvalOptions
        {
            Prompts = section.GetInt("prompts", 300, 1),
            ValidationRows = section.GetInt("validation_rows", 256, 0),
            MaxNewTokens = section.GetInt("max_new_tokens", 12, 1, 4096),
            SamplesShown = section.GetInt("samples_shown", 12, 0),
            Threads = section.GetInt("threads", 0, 0, 1024),
        };
        var job = new EvalJob(Ref("data", "verifiable_set", required: true), Ref("tokens", "tokenize"), Ref("pretrain", "pretrain"),
            Ref("sft", "sft"), Ref("reward", "reward"), Ref("ppo", "ppo"), options);
        return [new StageDefinition(stageName, Name, job)];
    }
}
