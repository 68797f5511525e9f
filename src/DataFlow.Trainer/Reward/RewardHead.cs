using System.Text.Json;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Sft;

namespace DataFlow.Trainer.Reward;

/// <summary>
/// The scoring rule of a reward model, saved beside its weights (<see cref="FileName"/>) so PPO scores exactly as the
/// model was trained. For <see cref="RewardScore.MeanLogProb"/> the response is the tokens after the last assistant
/// marker and its newline, up to and including the last end token.
/// </summary>
public sealed record RewardHead(RewardScore Score, double Scale, int AssistantId, int EndId)
{
    public const string FileName = "reward_head.json";

    public static readonly RewardHead Value = new(RewardScore.ValueHead, 1.0, -1, -1);

    public static RewardHead For(RewardScore score, double scale, IChatTokenizer tokenizer, ChatTemplate template) =>
        score == RewardScore.ValueHead ? Value with { Scale = scale }
            : new RewardHead(score, scale, tokenizer.SpecialTokenId(template.AssistantToken), tokenizer.SpecialTokenId(template.EndToken));

    public void Save(string directory) =>
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, TrainerJson.Options));

    /// <summary>The head saved in <paramref name="directory"/>; folders written before heads existed use the value head.</summary>
    public static RewardHead Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<RewardHead>(File.ReadAllText(path), TrainerJson.Options)! : Value;
    }
}
