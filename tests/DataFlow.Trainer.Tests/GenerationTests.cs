using DataFlow.Trainer.Generation;
using DataFlow.Trainer.Model;
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
    public void Greedy_with_cache_equals_greedy_without(int kvHeads)
    {
        using var model = TinyModels.Build(TinyModels.Config(kvHeads));
        var prompt = new[] { 1, 5, 2, 7 };
        var generated = new TextGenerator(model).Generate([prompt], new GenerationOptions { Temperature = 0, MaxNewTokens = 12 });
        Assert.Equal(GreedyWithoutCache(model, prompt, 12), generated[0].Tokens);
        Assert.Equal("length", generated[0].FinishReason);
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
    public void Stop_token_ends_a_row_and_is_not_returned()
    {
        using var model = TinyModels.Build();
        var prompt = new[] { 1, 5, 2 };
        var free = GreedyWithoutCache(model, prompt, 10);
        var stop = free[3];
        var result = new TextGenerator(model).Generate([prompt], new GenerationOptions { Temperature = 0, MaxNewTokens = 10, StopTokens = [stop] })[0];
        Assert.Equal("stop_token", result.FinishReason);
        Assert.Equal(free.TakeWhile(t => t != stop), result.Tokens);
    }

    [Fact]
    public void Sampling_is_reproducible_by_seed_and_slides_past_the_context()
    {
        using var model = TinyModels.Build();
        var generator = new TextGenerator(model);
        var options = new GenerationOptions { Temperature = 1.0, TopK = 5, TopP = 0.9, MaxNewTokens = 50, Seed = 42 };
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
