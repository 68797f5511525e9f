using DataFlow.Text.Chat;
using DataFlow.Trainer.Generation;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Tests.Sft;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests;

public sealed class GenerationTests
{
    /// <summary>Greedy decoding by re-running the whole sequence each step, without a cache: the reference.</summary>
    private static int[] GreedyWithoutCache(Transformer model, int[] prompt, int count)
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

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Greedy_with_cache_equals_full_recomputation_token_for_token(int kvHeads)
    {
        using var model = TinyModels.Build(TinyModels.Config(kvHeads));
        var prompt = new[] { 1, 5, 2, 7 };
        var generated = new TextGenerator(model).Generate([prompt], new GenerationOptions { Temperature = 0, MaxNewTokens = 12 });
        Assert.Equal(GreedyWithoutCache(model, prompt, 12), generated[0].Tokens);
        Assert.Equal("length", generated[0].FinishReason);
        Assert.Null(generated[0].StopToken);
    }

    [Fact]
    public void Batched_prompts_of_different_lengths_generate_what_each_would_alone()
    {
        using var model = TinyModels.Build();
        int[][] prompts = [[3], [1, 5, 2, 7, 9, 4], [8, 8, 1]];
        var options = new GenerationOptions { Temperature = 0, MaxNewTokens = 10 };
        var batched = new TextGenerator(model).Generate(prompts, options);
        for (var i = 0; i < prompts.Length; i++)
            Assert.Equal(GreedyWithoutCache(model, prompts[i], 10), batched[i].Tokens);
    }

    [Fact]
    public void Left_padded_chat_prompts_generate_what_each_prompt_generates_alone_without_a_cache()
    {
        using var model = TinyModels.Build(RlhfFixtures.Config(), seed: 3);
        var tokenizer = ChatTokenizer.Load("bytes");
        var prompts = new[] { "What is 1 + 2?", "Reverse the word: hello" }
            .Select(p => TokenizedConversation.Encode(ChatTemplate.Default.RenderPrompt(Conversation.SingleTurn(p)), tokenizer).Ids).ToList();
        var batched = new TextGenerator(model).Generate(prompts, new GenerationOptions { Temperature = 0, MaxNewTokens = 8 });
        for (var i = 0; i < prompts.Count; i++) Assert.Equal(GreedyWithoutCache(model, prompts[i], 8), batched[i].Tokens);
    }

    [Fact]
    public void Stop_token_ends_a_row_and_is_sampled_but_not_text()
    {
        using var model = TinyModels.Build();
        var prompt = new[] { 1, 5, 2 };
        var free = GreedyWithoutCache(model, prompt, 10);
        var stop = free[3];
        var result = new TextGenerator(model).Generate([prompt], new GenerationOptions { Temperature = 0, MaxNewTokens = 10, StopTokens = [stop] })[0];
        Assert.Equal("stop_token", result.FinishReason);
        Assert.Equal(free.TakeWhile(t => t != stop), result.Tokens);
        Assert.Equal(stop, result.StopToken);
        Assert.Equal([.. result.Tokens, stop], result.Sampled);
        Assert.Equal(result.Sampled.Length, result.LogProbs.Length);
    }

    [Fact]
    public void Log_probs_are_those_of_the_sampled_tokens_at_the_temperature_by_full_recomputation()
    {
        using var model = TinyModels.Build();
        const double temperature = 0.7;
        int[][] prompts = [[1, 5, 2], [9]];
        var results = new TextGenerator(model).Generate(prompts, new GenerationOptions { Temperature = temperature, MaxNewTokens = 8, Seed = 5 });
        using var noGrad = no_grad();
        for (var b = 0; b < prompts.Length; b++)
        {
            // Reference: one forward pass over prompt + sampled tokens, softmax of logits / T by hand.
            var sequence = prompts[b].Concat(results[b].Sampled).Select(t => (long)t).ToArray();
            var logits = model.forward(tensor(sequence).view(1, -1))[0].to(ScalarType.Float64) / temperature;
            for (var t = 0; t < results[b].Sampled.Length; t++)
            {
                var row = logits[prompts[b].Length - 1 + t];
                var expected = row[sequence[prompts[b].Length + t]].item<double>() - row.exp().sum().log().item<double>();
                Assert.Equal(expected, results[b].LogProbs[t], 4);
            }
        }
    }

    [Fact]
    public void A_row_samples_what_it_samples_alone_given_its_global_index()
    {
        using var model = TinyModels.Build();
        var options = new GenerationOptions { Temperature = 1.0, MaxNewTokens = 10, Seed = 11 };
        int[][] prompts = [[3, 4], [1, 5, 2, 7], [8]];
        var generator = new TextGenerator(model);
        var batched = generator.Generate(prompts, options);
        // Rows 1 and 2 as a share of the batch (data-parallel rank): same seeds by global index, same width.
        var share = generator.Generate(prompts[1..], options, firstRow: 1, promptWidth: 4);
        Assert.Equal(batched[1].Tokens, share[0].Tokens);
        Assert.Equal(batched[2].Tokens, share[1].Tokens);
        Assert.NotEqual(batched[0].Tokens, generator.Generate([prompts[0]], options, firstRow: 1)[0].Tokens);
    }

    [Fact]
    public void Without_sliding_generation_ends_at_the_context_and_a_full_prompt_is_an_error()
    {
        using var model = TinyModels.Build(); // context 24
        var generator = new TextGenerator(model);
        var result = generator.Generate([[1, 2, 3, 4]], new GenerationOptions { Temperature = 0, MaxNewTokens = 50 })[0];
        Assert.Equal(20, result.Tokens.Length);
        Assert.Equal("length", result.FinishReason);
        var error = Assert.Throws<ArgumentException>(() => generator.Generate([Enumerable.Repeat(1, 24).ToArray()], new GenerationOptions { MaxNewTokens = 5 }));
        Assert.Contains("context of 24", error.Message);
    }

    [Fact]
    public void Sampling_is_reproducible_by_seed_and_slides_past_the_context()
    {
        using var model = TinyModels.Build();
        var generator = new TextGenerator(model);
        var options = new GenerationOptions { Temperature = 1.0, TopK = 5, TopP = 0.9, MaxNewTokens = 50, Seed = 42, SlideContext = true };
        var a = generator.Generate([[1, 2]], options)[0].Tokens;
        var b = generator.Generate([[1, 2]], options)[0].Tokens;
        var c = generator.Generate([[1, 2]], options with { Seed = 43 })[0].Tokens;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(50, a.Length); // more than the context of 24: generation slides over the window
    }

    [Fact]
    public void Top_k_and_top_p_only_ever_pick_allowed_tokens()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 5f, 4f, 3f, -1f, -2f, -3f }).view(1, 6).expand(2000, 6);
        var topK = GenerationTests.Sample(logits, new GenerationOptions { Temperature = 1, TopK = 2 });
        Assert.True(topK.lt(2).all().item<bool>());
        // Softmax of (5, 4, 3, ...): the first token holds ~0.66, the first two ~0.90 of the mass.
        var topP = GenerationTests.Sample(logits, new GenerationOptions { Temperature = 1, TopP = 0.5 });
        Assert.True(topP.eq(0).all().item<bool>());
        var greedy = GenerationTests.Sample(logits, new GenerationOptions { Temperature = 0 });
        Assert.True(greedy.eq(0).all().item<bool>());
    }

    private static Tensor Sample(Tensor logits, GenerationOptions options) =>
        TextGenerator.Sample(logits, options, new Generator(1));
}
