using DataFlow.Trainer.Model;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests;

public sealed class ModelTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Parameter_count_matches_the_config_formula(int kvHeads)
    {
        using var model = TinyModels.Build(TinyModels.Config(kvHeads));
        var actual = model.parameters().Sum(p => p.numel());
        Assert.Equal(model.Config.ParameterCount, actual);
        Assert.True(model.Config.TrainingFlopsPerToken(16) > 6.0 * actual);
    }

    [Fact]
    public void Tied_head_has_no_separate_output_matrix_and_norms_are_not_buffers_saved()
    {
        using var model = TinyModels.Build();
        var names = model.state_dict().Keys.ToList();
        Assert.Contains("tok_embeddings.weight", names);
        Assert.DoesNotContain(names, n => n.Contains("output") || n.Contains("cos") || n.Contains("sin"));
    }

    [Fact]
    public void Attention_is_causal_future_tokens_do_not_change_earlier_logits()
    {
        using var model = TinyModels.Build();
        using var scope = NewDisposeScope();
        var a = tensor(new long[] { 1, 2, 3, 4, 5, 6, 7, 8 }).view(1, 8);
        var b = tensor(new long[] { 1, 2, 3, 4, 9, 9, 9, 9 }).view(1, 8);
        var la = model.forward(a);
        var lb = model.forward(b);
        Assert.True(la.narrow(1, 0, 4).allclose(lb.narrow(1, 0, 4), rtol: 1e-5, atol: 1e-6));
        Assert.False(la.narrow(1, 4, 4).allclose(lb.narrow(1, 4, 4), rtol: 1e-5, atol: 1e-6));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(1)]
    public void Cached_incremental_forward_equals_the_full_forward(int kvHeads)
    {
        using var model = TinyModels.Build(TinyModels.Config(kvHeads));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var tokens = tensor(new long[] { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3 }).view(1, 10);
        var full = model.forward(tokens);

        using var cache = new KvCache(model.Config, 1, 10);
        var prefill = model.Forward(tokens.narrow(1, 0, 6), new InferenceStep(cache, 0, arange(6L).view(1, 6), ones(6, 6, dtype: ScalarType.Bool).tril().view(1, 1, 6, 6)));
        Assert.True(prefill.allclose(full.narrow(1, 0, 6), rtol: 1e-4, atol: 1e-5));
        for (var t = 6; t < 10; t++)
        {
            var step = model.Forward(tokens.narrow(1, t, 1), new InferenceStep(cache, t, tensor((long)t).view(1, 1), ones(1, 1, 1, t + 1, dtype: ScalarType.Bool)));
            Assert.True(step.allclose(full.narrow(1, t, 1), rtol: 1e-4, atol: 1e-5), $"position {t}");
        }
    }

    [Fact]
    public void Rope_scale_changes_positions_but_not_shapes()
    {
        using var plain = TinyModels.Build(TinyModels.Config(), seed: 5);
        using var scaled = TinyModels.Build(TinyModels.Config() with { RopeScale = 4.0 }, seed: 5);
        using var scope = NewDisposeScope();
        var tokens = tensor(new long[] { 1, 2, 3, 4, 5 }).view(1, 5);
        var a = plain.forward(tokens);
        var b = scaled.forward(tokens);
        Assert.Equal(a.shape, b.shape);
        // Position 0 has angle 0 in both; later positions differ.
        Assert.True(a.narrow(1, 0, 1).allclose(b.narrow(1, 0, 1), rtol: 1e-5, atol: 1e-6));
        Assert.False(a.narrow(1, 1, 4).allclose(b.narrow(1, 1, 4), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Invalid_configs_fail_with_the_reason()
    {
        var e = Assert.Throws<ArgumentException>(() => (TinyModels.Config() with { Heads = 5 }).Validate());
        Assert.Contains("not divisible by heads", e.Message);
        e = Assert.Throws<ArgumentException>(() => (TinyModels.Config() with { KvHeads = 3 }).Validate());
        Assert.Contains("kv_heads", e.Message);
    }
}
