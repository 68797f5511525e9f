using System.Text.Json;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Native;
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
    internal static readonly Llama3RopeScaling SmallLlama3 = new() { Factor = 4, LowFreqFactor = 1, HighFreqFactor = 4, OriginalContextLength = 32 };

    [Fact]
    public void Model_config_json_without_llama3_rope_reads_and_writes_as_before()
    {
        // A model_config.json as written before rope_llama3 existed.
        const string old = """
            {"vocab_size": 17, "dim": 32, "layers": 2, "heads": 4, "kv_heads": 0, "context_length": 24, "ffn_hidden": 0,
             "rope_theta": 10000, "rope_scale": 1, "norm_eps": 1e-05, "tie_embeddings": true}
            """;
        var config = JsonSerializer.Deserialize<ModelConfig>(old, TrainerJson.Options)!;
        Assert.Equal(TinyModels.Config(), config);
        Assert.Null(config.RopeLlama3);
        Assert.DoesNotContain("rope_llama3", JsonSerializer.Serialize(config, TrainerJson.Options));
        using var a = TinyModels.Build(config, seed: 5);
        using var b = TinyModels.Build(TinyModels.Config(), seed: 5);
        using var scope = NewDisposeScope();
        var tokens = tensor(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }).view(1, 10);
        Assert.True(a.forward(tokens).eq(b.forward(tokens)).all().item<bool>());
    }

    [Fact]
    public void Llama3_rope_round_trips_through_model_config_json_and_scales_only_the_low_frequencies()
    {
        var config = TinyModels.Config() with { Heads = 2, ContextLength = 128, RopeLlama3 = SmallLlama3 };
        var json = JsonSerializer.Serialize(config, TrainerJson.Options);
        Assert.Contains("\"rope_llama3\"", json);
        Assert.Contains("\"original_context_length\": 32", json);
        Assert.Equal(config, JsonSerializer.Deserialize<ModelConfig>(json, TrainerJson.Options));

        // head dim 16, theta 1e4: wavelengths 6.3 (< 32/4: kept), 19.9 (blended), 62.8 and longer (> 32/1: divided by 4).
        var frequencies = Enumerable.Range(0, 8).Select(i => Math.Pow(10_000, -2.0 * i / 16)).ToArray();
        var divisors = SmallLlama3.Divisors(frequencies);
        Assert.Equal(1.0, divisors[0]);
        var smooth = (32 / (2 * Math.PI / frequencies[1]) - 1) / (4 - 1);
        Assert.Equal((1 - smooth) * frequencies[1] / 4 + smooth * frequencies[1], frequencies[1] / divisors[1], 1e-15);
        Assert.InRange(divisors[1], 1.0 + 1e-3, 4.0 - 1e-3);
        Assert.All(divisors.Skip(2), d => Assert.Equal(4.0, d));

        // Position 0 has angle 0 in both; at later positions the scaled low frequencies change the logits.
        using var plain = TinyModels.Build(config with { RopeLlama3 = null }, seed: 5);
        using var scaled = TinyModels.Build(config, seed: 5);
        using var scope = NewDisposeScope();
        var tokens = (arange(100, dtype: ScalarType.Int64) % 17).view(1, 100);
        var a = plain.forward(tokens);
        var b = scaled.forward(tokens);
        Assert.True(a.narrow(1, 0, 1).allclose(b.narrow(1, 0, 1), rtol: 1e-5, atol: 1e-6));
        Assert.False(a.narrow(1, 1, 99).allclose(b.narrow(1, 1, 99), rtol: 1e-5, atol: 1e-6));
    }

    [Theory]
    [InlineData(0.5, 1.0, 4.0, 32, "factor must be >= 1")]
    [InlineData(8.0, 0.0, 4.0, 32, "low_freq_factor must be positive")]
    [InlineData(8.0, 4.0, 4.0, 32, "high_freq_factor (4) must be greater than low_freq_factor (4)")]
    [InlineData(8.0, 1.0, 4.0, 0, "original_context_length must be positive")]
    public void Invalid_llama3_rope_fails_with_the_key_and_value(double factor, double low, double high, int original, string expected)
    {
        var config = TinyModels.Config() with { RopeLlama3 = new() { Factor = factor, LowFreqFactor = low, HighFreqFactor = high, OriginalContextLength = original } };
        var e = Assert.Throws<ArgumentException>(() => config.Validate());
        Assert.Contains(expected, e.Message);
        Assert.Contains("rope_llama3", e.Message);
    }

    [Fact]
    public void Llama3_rope_and_rope_scale_together_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => (TinyModels.Config() with { RopeScale = 2, RopeLlama3 = SmallLlama3 }).Validate());
        Assert.Contains("rope_scale 2 and rope_llama3", e.Message);
    }

    [Fact]
    public void Rotary_in_float32_is_bit_identical_to_the_half_split_formula_with_float32_tables()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var config = TinyModels.Config();
        using var rotary = new Transformer.Rotary(config);
        var (t, d, half) = (config.ContextLength, config.HeadDim, config.HeadDim / 2);
        manual_seed(9);
        var x = randn(2, config.Heads, t, d) * 3;
        // The published rotation on channel pairs (i, i + d/2): (x1 cos - x2 sin, x1 sin + x2 cos), angle = p * theta^(-2i/d),
        // angles formed in float64 and rounded to float32 once, each product and sum rounded to float32 as it is computed.
        var angles = outer(arange(t, dtype: ScalarType.Float64), pow(config.RopeTheta, -arange(0, half, dtype: ScalarType.Float64) * 2.0 / d)).to(ScalarType.Float32);
        var (c, s) = (angles.cos().view(1, 1, t, half), angles.sin().view(1, 1, t, half));
        var (x1, x2) = (x.narrow(-1, 0, half), x.narrow(-1, half, half));
        var expected = cat([x1 * c - x2 * s, x1 * s + x2 * c], -1);
        Assert.True(rotary.Apply(x, null).allclose(expected, rtol: 0, atol: 0), "rotary differs from the formula in float32");
        var positions = tensor(new long[] { 3, 0, 7, 1, 5, 2, 9, 4 }).view(2, 4);
        var rows = x.narrow(2, 0, 4);
        var (cp, sp) = (angles.cos().index_select(0, positions.reshape(-1)).view(2, 1, 4, half), angles.sin().index_select(0, positions.reshape(-1)).view(2, 1, 4, half));
        var (r1, r2) = (rows.narrow(-1, 0, half), rows.narrow(-1, half, half));
        Assert.True(rotary.Apply(rows, positions).allclose(cat([r1 * cp - r2 * sp, r1 * sp + r2 * cp], -1), rtol: 0, atol: 0), "rotary at given positions differs from the formula");
    }
}
