using System.Diagnostics;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Generation;
using DataFlow.Trainer.Model;
using TorchSharp;
using static TorchSharp.torch;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Bench.Rlhf;

/// <summary>PPO-style batched greedy rollout generation with the KV cache against full recomputation per token; the outputs are checked equal.</summary>
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
        var options = new GenerationOptions { MaxNewTokens = newTokens, Temperature = 0 };
        int[][] Cached() => new TextGenerator(model).Generate(prompts, options).Select(r => r.Tokens).ToArray();
        Cached(); // warm-up
        var clock = Stopwatch.StartNew();
        var cached = Cached();
        var cachedSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var uncached = prompts.Select(p => Uncached(model, p, newTokens)).ToArray();
        var uncachedSeconds = clock.Elapsed.TotalSeconds;
        var same = cached.Zip(uncached).All(p => p.First.SequenceEqual(p.Second));
        return (batch * newTokens / cachedSeconds, batch * newTokens / uncachedSeconds, same);
    }

    /// <summary>Greedy decoding that re-reads the whole sequence for every token (no cache).</summary>
    private static int[] Uncached(Transformer model, int[] prompt, int count)
    {
        using var noGrad = no_grad();
        var tokens = prompt.ToList();
        for (var i = 0; i < count; i++)
        {
            using var scope = NewDisposeScope();
            var logits = model.forward(tensor(tokens.Select(t => (long)t).ToArray()).view(1, tokens.Count));
            tokens.Add((int)logits.select(1, -1).argmax(-1).item<long>());
        }
        return tokens.Skip(prompt.Length).ToArray();
    }
}
