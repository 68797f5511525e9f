using System.Diagnostics;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using TorchSharp;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Bench.Rlhf;

/// <summary>PPO-style batched rollout generation with and without the KV cache; the outputs are checked equal.</summary>
public static class GenerationBenchmark
{
    public static (double CachedTokensPerSecond, double UncachedTokensPerSecond, bool SameTokens) Run(ModelConfig config, int batch, int newTokens)
    {
        torch.manual_seed(2);
        using var model = new Transformer(config);
        model.eval();
        var tokenizer = ChatTokenizer.Load("bytes");
        var random = new Random(3);
        var prompts = Enumerable.Range(0, batch).Select(_ => VerifiableTasks.Generate(random, 20))
            .Select(e => TokenizedConversation.Encode(ChatTemplate.Default.RenderPrompt(Conversation.SingleTurn(e.Prompt)), tokenizer).Ids).ToList();
        var none = new HashSet<int>();
        List<int>[] Generate(bool cache) => ResponseGenerator.Generate(model, prompts, new SamplingOptions { MaxNewTokens = newTokens, UseKvCache = cache }, none, tokenizer.PadId);
        Generate(true); // warm-up
        var clock = Stopwatch.StartNew();
        var cached = Generate(true);
        var cachedSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var uncached = Generate(false);
        var uncachedSeconds = clock.Elapsed.TotalSeconds;
        var same = cached.Zip(uncached).All(p => p.First.SequenceEqual(p.Second));
        return (batch * newTokens / cachedSeconds, batch * newTokens / uncachedSeconds, same);
    }
}
