using System.Text.Json;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Generation;
using DataFlow.Trainer.Sft;
using DataFlow.Trainer.Training;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Trainer.Reward;

/// <summary>
/// Preference pairs from the policy's own mistakes (InstructGPT compares model samples): for each verifiable prompt,
/// sample answers from the policy; the first one the task checker scores 0 is the rejected answer and the correct
/// answer is chosen. Prompts the policy always answers correctly fall back to a synthetic wrong answer, so every
/// prompt yields one pair. A reward model trained on these sees the errors PPO will actually produce.
/// </summary>
public static class PolicyPairSampler
{
    public static (int Pairs, int FromPolicy) Write(Transformer policy, IChatTokenizer tokenizer, string promptsPath, string outputPath,
        int samplesPerPrompt, int maxNewTokens, int seed, int batchSize = 64)
    {
        var template = ChatTemplate.Default;
        var stops = SftEvaluation.StopIds(tokenizer, template);
        var random = new Random(seed);
        var examples = File.ReadLines(promptsPath).Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(r => new VerifiableExample(r.TryGetProperty("task", out var t) ? t.GetString()! : "", r.GetProperty("prompt").GetString()!,
                VerifiableTasks.Solve(r.GetProperty("prompt").GetString()!) ?? throw new InvalidDataException($"{promptsPath}: not a verifiable prompt")))
            .ToList();
        policy.eval();
        var fromPolicy = 0;
        using var writer = new StreamWriter(outputPath);
        for (var i = 0; i < examples.Count; i += batchSize)
        {
            var chunk = examples.Skip(i).Take(batchSize).ToList();
            var prompts = chunk.Select(e => TokenizedConversation.Encode(template.RenderPrompt(Conversation.SingleTurn(e.Prompt)), tokenizer).Ids).ToList();
            var wrong = new string?[chunk.Count];
            for (var s = 0; s < samplesPerPrompt && wrong.Any(w => w is null); s++)
            {
                // Seeded by (seed, draw) and the prompt's index: every (prompt, draw) has its own sample.
                var options = new GenerationOptions { MaxNewTokens = maxNewTokens, Temperature = 1.0, StopTokens = [.. stops], Seed = DeterministicSeed.Of(seed, s) };
                var responses = new TextGenerator(policy).Generate(prompts, options, firstRow: i);
                for (var j = 0; j < chunk.Count; j++)
                {
                    if (wrong[j] is not null) continue;
                    var text = tokenizer.Decode(responses[j].Tokens).Trim();
                    if (VerifiableTasks.Score(chunk[j].Prompt, text) == 0 && text.Length > 0) wrong[j] = text;
                }
            }
            for (var j = 0; j < chunk.Count; j++)
            {
                if (wrong[j] is not null) fromPolicy++;
                var rejected = wrong[j] ?? VerifiableTasks.WrongAnswer(chunk[j], random);
                writer.WriteLine(JsonSerializer.Serialize(new { prompt = chunk[j].Prompt, chosen = chunk[j].Answer, rejected, task = chunk[j].Task, source = wrong[j] is null ? "synthetic" : "policy" }));
            }
        }
        return (examples.Count, fromPolicy);
    }
}
