using DataFlow.Text.Chat;
using DataFlow.Trainer.Generation;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Trainer.Sft;

/// <summary>
/// Held-out quality of a chat model: mean masked loss, and greedy answers to held-out prompts scored by exact match
/// with the reference and, for the synthetic tasks, by the task's own checker (<see cref="VerifiableTasks.Score"/>).
/// </summary>
public sealed record SftEvaluation(double Loss, double ExactMatch, double TrueScore, IReadOnlyList<SftSample> Samples)
{
    public static SftEvaluation ExactMatchOf(Transformer model, IReadOnlyList<Conversation> conversations, IChatTokenizer tokenizer,
        ChatTemplate template, int maxNewTokens, int batchSize)
    {
        var samples = new List<SftSample>();
        var stops = StopIds(tokenizer, template);
        var options = new GenerationOptions { MaxNewTokens = maxNewTokens, Temperature = 0, StopTokens = [.. stops] };
        for (var i = 0; i < conversations.Count; i += batchSize)
        {
            var chunk = conversations.Skip(i).Take(batchSize).Select(c => c.SplitLastAnswer()).ToList();
            var prompts = chunk.Select(c => TokenizedConversation.Encode(template.RenderPrompt(c.Prompt), tokenizer).Ids).ToList();
            var responses = new TextGenerator(model).Generate(prompts, options);
            for (var j = 0; j < chunk.Count; j++)
            {
                var text = tokenizer.Decode(responses[j].Tokens);
                var userPrompt = chunk[j].Prompt.Messages[^1].Content;
                samples.Add(new SftSample(userPrompt, chunk[j].Answer, text, text.Trim() == chunk[j].Answer.Trim(), VerifiableTasks.Score(userPrompt, text)));
            }
        }
        return new SftEvaluation(double.NaN, samples.Count == 0 ? 0 : samples.Average(s => s.ExactMatch ? 1.0 : 0.0),
            samples.Count == 0 ? 0 : samples.Average(s => s.TrueScore), samples);
    }

    public static IReadOnlySet<int> StopIds(IChatTokenizer tokenizer, ChatTemplate template) =>
        new HashSet<int> { tokenizer.SpecialTokenId(template.EndToken), tokenizer.SpecialTokenId(template.EndOfTextToken) };

    /// <summary>The response text without its stop token.</summary>
    public static string DecodeResponse(IReadOnlyList<int> ids, IChatTokenizer tokenizer, IReadOnlySet<int> stops) =>
        tokenizer.Decode(ids.TakeWhile(id => !stops.Contains(id)));
}
