using DataFlow.Text.Chat;
using DataFlow.Trainer.Reward;
using DataFlow.Trainer.Sft;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Ppo;

/// <summary>
/// Learned reward of each response, read where the reward model was trained to read it: on the conversation as the
/// template renders it (response text, <c>&lt;|end|&gt;</c>, turn separator, <c>&lt;|endoftext|&gt;</c>), whether or
/// not the sampled response reached its stop token. Every share of a batch is padded to the whole batch's width, so
/// N data-parallel ranks score what one process scores.
/// </summary>
public sealed class RewardModelScorer(RewardModel rewardModel, IChatTokenizer tokenizer, ChatTemplate template) : IResponseScorer
{
    public float[] Score(IReadOnlyList<PromptExample> prompts, IReadOnlyList<int[]> responses, (int First, int Count) rows)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var closing = new List<int> { tokenizer.SpecialTokenId(template.EndToken) };
        tokenizer.Encode(template.TurnSeparator, closing);
        closing.Add(tokenizer.SpecialTokenId(template.EndOfTextToken));
        var sequences = prompts.Select((p, i) => p.Ids.Concat(responses[i]).Concat(closing).ToArray()).ToList();
        var (tokens, lengths) = RewardTrainer.RightPad(sequences.Skip(rows.First).Take(rows.Count).ToList(), tokenizer.PadId, sequences.Max(q => q.Length));
        return rewardModel.Score(tokens, lengths).data<float>().ToArray();
    }
}
