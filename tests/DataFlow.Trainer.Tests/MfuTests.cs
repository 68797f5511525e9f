using DataFlow.Engine.Config;
using DataFlow.Jobs.Training.Pretrain;
using DataFlow.Trainer.Checkpoints;
using DataFlow.Trainer.Data;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Native;
using DataFlow.Trainer.Training;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests;

/// <summary>
/// Model FLOPs utilization: the FLOP counter against PaLM's formula worked by hand, the matmul shapes of a step against
/// that count, the peak measurement, and the MFU the trainer reports.
/// </summary>
public sealed class MfuTests
{
    private static readonly ModelConfig Bench = new() { VocabSize = 4096, Dim = 256, Layers = 4, Heads = 4, ContextLength = 256 };

    [Fact]
    public void Flops_per_token_of_the_benchmark_model_match_palm_appendix_b_by_hand()
    {
        // Hidden = 8 * 256 / 3 = 682, rounded up to a multiple of 32 = 704.
        // N = embedding 4096 * 256 = 1,048,576
        //   + 4 layers x (q, k, v, o 4 * 256 * 256 = 262,144 + w1, w2, w3 3 * 256 * 704 = 540,672 + two norms 512) = 3,213,312
        //   + final norm 256                                                                                   = 4,262,144
        // 6N = 25,572,864; 12 * L * d * T = 12 * 4 * 256 * 256 = 3,145,728; sum 28,718,592.
        Assert.Equal(4_262_144, Bench.ParameterCount);
        Assert.Equal(28_718_592.0, Bench.TrainingFlopsPerToken(256));
        // At T = 128 only the attention term halves: 25,572,864 + 1,572,864.
        Assert.Equal(27_145_728.0, Bench.TrainingFlopsPerToken(128));
    }

    [Fact]
    public void Grouped_query_and_untied_heads_count_what_a_token_is_multiplied_by()
    {
        // kv_heads 2: k and v are 256 x 128, so attention is 2 * 65,536 + 2 * 32,768 = 196,608 per layer;
        // N = 1,048,576 + 4 x (196,608 + 540,672 + 512) + 256 = 4,000,000; 6N + 3,145,728 = 27,145,728.
        var gqa = Bench with { KvHeads = 2 };
        Assert.Equal(4_000_000, gqa.ParameterCount);
        Assert.Equal(27_145_728.0, gqa.TrainingFlopsPerToken(256));
        // An untied head adds a 4096 x 256 output matrix, but the input embedding is then a lookup: FLOPs unchanged.
        var untied = Bench with { TieEmbeddings = false };
        Assert.Equal(4_262_144 + 1_048_576, untied.ParameterCount);
        Assert.Equal(28_718_592.0, untied.TrainingFlopsPerToken(256));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(2, true)]
    [InlineData(0, false)]
    public void The_step_shapes_add_up_to_the_formula_less_the_norm_gains(int kvHeads, bool tied)
    {
        var config = Bench with { KvHeads = kvHeads, TieEmbeddings = tied };
        const int batch = 8, seqLen = 256;
        var perToken = MatmulPeak.TrainingShapes(config, batch, seqLen).Sum(s => s.Flops * s.PerStep) / (batch * seqLen);
        var normGains = (2 * config.Layers + 1) * config.Dim; // 6 FLOPs each in 6N, but no matmul
        Assert.Equal(config.TrainingFlopsPerToken(seqLen) - 6.0 * normGains, perToken, 6);
    }

    [Fact]
    public void Peak_is_the_best_measured_shape_and_leaves_the_global_random_state_alone()
    {
        TorchRuntime.EnsureInitialized();
        manual_seed(5);
        using var expected = randn(4);
        manual_seed(5);
        var peak = MatmulPeak.ForTraining(TinyModels.Config(), batch: 4, seqLen: 16, ScalarType.Float32);
        using var after = randn(4);
        Assert.True(after.allclose(expected, rtol: 0, atol: 0), "measuring the peak consumed the global generator");
        Assert.NotEmpty(peak.PerShape);
        Assert.All(peak.PerShape, t => Assert.True(t.Flops > 0 && t.FlopsPerCpuSecond > 0, t.Shape.Name));
        Assert.Equal(peak.PerShape.Max(t => t.Flops), peak.Flops);
        // Products of the same shape and layout are timed once: [64x32] * [32x32]^T serves q, k, v and the out projection.
        Assert.Equal(peak.PerShape.Count, peak.PerShape.Select(t => t.Shape.ToString()).Distinct().Count());
        Assert.Contains(peak.PerShape, t => t.Shape.Name.Contains("q/k/v projection forward") && t.Shape.Name.Contains("out projection forward"));
    }

    private static (TrainingSummary Summary, string Log) Train(TrainingOptions options)
    {
        var model = TinyModels.Build();
        var train = new InMemoryTokenBatches(TinyModels.Rows(32, 16), batchSize: 4, seed: 11);
        var log = new StringWriter();
        var summary = new CausalLmTrainer(model, options, train, null, TinyModels.TempDir("mfu"), new TokenizerInfo("counting", 17, 0, 16)) { Log = log }.Run();
        return (summary, log.ToString());
    }

    [Fact]
    public void Trainer_reports_mfu_against_a_configured_peak()
    {
        var options = new TrainingOptions { MaxSteps = 4, WarmupSteps = 1, LogEvery = 2, CheckpointEvery = 4, Threads = 1, PeakGflops = 0.5 };
        var (summary, log) = Train(options);
        Assert.Equal(0.5e9, summary.PeakFlops);
        // tiny model: vocab 17, dim 32, 2 layers; 4 steps x 4 rows x 16 tokens
        var flopsPerToken = TinyModels.Config().TrainingFlopsPerToken(16);
        Assert.Equal(256, summary.Tokens);
        Assert.Equal(flopsPerToken * 256 / summary.Seconds / 0.5e9, summary.Mfu!.Value, 9);
        Assert.DoesNotContain("matmul peak", log);
        Assert.Equal(2, log.Split('\n').Count(l => l.StartsWith("step ", StringComparison.Ordinal) && l.Contains(" tok/s MFU ") && l.EndsWith('%')));
    }

    [Fact]
    public void Trainer_measures_the_peak_once_at_start_in_its_compute_dtype()
    {
        var (fp32, log) = Train(new TrainingOptions { MaxSteps = 2, WarmupSteps = 1, LogEvery = 1, CheckpointEvery = 2, Threads = 1 });
        Assert.Single(log.Split('\n'), l => l.StartsWith("matmul peak ", StringComparison.Ordinal) && l.Contains("(fp32, "));
        Assert.True(fp32.PeakFlops > 0 && fp32.Mfu > 0);
        var (_, bf16Log) = Train(new TrainingOptions { MaxSteps = 1, WarmupSteps = 1, CheckpointEvery = 1, Threads = 1, Bf16 = true });
        Assert.Contains("(bf16, ", bf16Log);
    }

    [Fact]
    public void Peak_gflops_below_zero_names_file_line_and_key()
    {
        var yaml = "data: d\noutput: o\ntraining:\n  batch_size: 4\n  peak_gflops: -1\n";
        var e = Assert.Throws<ConfigException>(() => PretrainSettings.Read(ConfigSection.Parse(yaml, "pre.yaml"), "/"));
        Assert.StartsWith("pre.yaml:5: key 'training.peak_gflops': -1 is out of range", e.Message);
        var ok = PretrainSettings.Read(ConfigSection.Parse(yaml.Replace("-1", "120"), "pre.yaml"), "/");
        Assert.Equal(120, ok.Training.PeakGflops);
    }
}
