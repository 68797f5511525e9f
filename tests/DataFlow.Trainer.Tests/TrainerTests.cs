using DataFlow.Trainer.Checkpoints;
using DataFlow.Engine.Metrics;
using DataFlow.Trainer.Data;
using DataFlow.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests;

public sealed class TrainerTests
{
    private static TrainingOptions Options(int steps) => new()
    {
        MaxSteps = steps, LearningRate = 3e-3, MinLrRatio = 0.1, WarmupSteps = 5, GradAccumSteps = 2,
        EvalEvery = 10, EvalBatches = 2, CheckpointEvery = 10, KeepLast = 2, LogEvery = 1000, Threads = 1,
    };

    private static CausalLmTrainer Trainer(string dir, TrainingOptions options, long modelSeed = 7, Action<long>? afterStep = null)
    {
        var model = TinyModels.Build(seed: modelSeed);
        var train = new InMemoryTokenBatches(TinyModels.Rows(64, 16), batchSize: 4, seed: 11);
        var validation = new InMemoryTokenBatches(TinyModels.Rows(16, 16, seed: 99), batchSize: 4, seed: 0, shuffle: false);
        return new CausalLmTrainer(model, options, train, validation, dir, new TokenizerInfo("counting", 17, 0, 16))
        {
            Log = TextWriter.Null,
            AfterStep = afterStep,
        };
    }

    [Fact]
    public void Loss_falls_on_a_learnable_stream()
    {
        var summary = Trainer(TinyModels.TempDir("learn"), Options(60)).Run();
        Assert.Equal(60, summary.Losses.Count);
        Assert.True(summary.Losses.Take(5).Average() > 2.5, $"start {summary.Losses[0]}");
        Assert.True(summary.Losses.TakeLast(5).Average() < 1.5, $"end {summary.Losses[^1]}");
        Assert.NotNull(summary.FinalValLoss);
    }

    [Fact]
    public void Bf16_compute_with_fp32_master_weights_tracks_fp32_training()
    {
        var fp32 = Trainer(TinyModels.TempDir("fp32"), Options(40)).Run();
        var dir = TinyModels.TempDir("bf16");
        var bf16 = Trainer(dir, Options(40) with { Bf16 = true }).Run();
        Assert.Equal(fp32.Losses[0], bf16.Losses[0], 0.02);
        Assert.True(Math.Abs(fp32.Losses.TakeLast(5).Average() - bf16.Losses.TakeLast(5).Average()) < 0.1,
            $"fp32 {fp32.Losses[^1]} vs bf16 {bf16.Losses[^1]}");
        // Checkpoints hold the float32 master weights.
        var (model, _) = TrainingCheckpoint.LoadModel(new CheckpointStore(Path.Combine(dir, CheckpointStore.FolderName)).Latest()!);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void Resume_continues_with_exactly_the_same_losses()
    {
        var straight = Trainer(TinyModels.TempDir("straight"), Options(30)).Run();

        // The same run, killed right after its step-20 checkpoint, then resumed.
        var dir = TinyModels.TempDir("resumed");
        using var kill = new CancellationTokenSource();
        var killed = Trainer(dir, Options(30), afterStep: step => { if (step == 20) kill.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => killed.Run(cancellation: kill.Token));
        Assert.Equal(20, killed.Checkpoints.List()[^1].Step);
        // A different initial model proves the weights come from the checkpoint, not from the seed.
        var resumed = Trainer(dir, Options(30), modelSeed: 12345).Run(resume: true);
        Assert.Equal(20, resumed.FirstStep);
        Assert.Equal(straight.Losses.Skip(20), resumed.Losses);
        Assert.NotEqual(straight.Losses[19], straight.Losses[20]);

        // The metrics of the killed and resumed halves together are the uninterrupted run's.
        var logged = MetricsLog.Read(Path.Combine(dir, CausalLmTrainer.MetricsFile)).Get("loss")!;
        Assert.Equal(Enumerable.Range(1, 30).Select(s => (double)s), logged.Select(p => p.X));
        Assert.Equal(straight.Losses, logged.Select(p => p.Y));
        Assert.True(File.Exists(Path.Combine(dir, CausalLmTrainer.PlotFile)));
    }

    [Fact]
    public void Live_tensor_count_stays_flat_over_many_steps()
    {
        var counts = new List<long>();
        var trainer = Trainer(TinyModels.TempDir("flat"), Options(120) with { CheckpointEvery = 1000, EvalEvery = 40 },
            afterStep: step => { if (step % 20 == 0) counts.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount); });
        trainer.Run();
        Assert.Equal(6, counts.Count);
        // After warm-up (gradients allocated on the first backward), the count must not move at all.
        Assert.All(counts.Skip(1), c => Assert.Equal(counts[1], c));
    }

    [Fact]
    public void Nan_loss_stops_the_run_and_keeps_the_last_good_checkpoint()
    {
        var dir = TinyModels.TempDir("nan");
        DataFlow.Trainer.Model.Transformer? poisoned = null;
        var trainer = Trainer(dir, Options(40), afterStep: step =>
        {
            if (step == 14)
                using (no_grad()) poisoned!.norm.parameters().First().fill_(double.NaN);
        });
        poisoned = trainer.Model;
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.Contains("step 15", e.Message);
        Assert.Contains("loss is NaN", e.Message);
        var latest = trainer.Checkpoints.Latest();
        Assert.NotNull(latest);
        Assert.Contains(latest, e.Message);
        Assert.EndsWith("step-00000010", latest);
        var (model, state) = TrainingCheckpoint.LoadModel(latest);
        Assert.Equal(10, state.Step);
        Assert.All(model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
    }

    [Fact]
    public void Keeps_only_the_last_k_checkpoints()
    {
        var trainer = Trainer(TinyModels.TempDir("keep"), Options(50) with { CheckpointEvery = 10, KeepLast = 2 });
        trainer.Run();
        Assert.Equal([40L, 50L], trainer.Checkpoints.List().Select(c => c.Step));
    }

    [Fact]
    public void Resuming_on_data_from_another_tokenizer_fails_naming_both()
    {
        var dir = TinyModels.TempDir("tok");
        Trainer(dir, Options(10)).Run();
        var model = TinyModels.Build();
        var train = new InMemoryTokenBatches(TinyModels.Rows(64, 16), 4, 11);
        var other = new CausalLmTrainer(model, Options(20), train, null, dir, new TokenizerInfo("gpt2", 17, 0, 16)) { Log = TextWriter.Null };
        var e = Assert.Throws<InvalidDataException>(() => other.Run(resume: true));
        Assert.Contains("'counting'", e.Message);
        Assert.Contains("'gpt2'", e.Message);
    }

    [Fact]
    public void A_config_that_does_not_fit_in_memory_is_refused_before_training()
    {
        var config = TinyModels.Config() with { VocabSize = 50_000, Dim = 4096, Layers = 48, Heads = 32, ContextLength = 4096 };
        var e = Assert.Throws<InsufficientMemoryException>(() => MemoryBudget.Check(config, 16, 4096, availableBytes: 24L << 30));
        Assert.Contains("GiB", e.Message);
        Assert.Contains("batch_size", e.Message);
        MemoryBudget.Check(TinyModels.Config(), 4, 16, availableBytes: 24L << 30);
    }

}
