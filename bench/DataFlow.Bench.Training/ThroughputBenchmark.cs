using System.Diagnostics;
using DataFlow.Trainer.Data;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Native;
using DataFlow.Trainer.Training;
using static TorchSharp.torch;

namespace DataFlow.Bench.Training;

/// <summary>
/// Training throughput of one configuration: tokens per wall second and per process CPU-second over timed steps
/// (forward, backward, clip, AdamW) after warm-up, best of three rounds; and the fp32 and bf16 matmul peaks at the
/// model's own shapes (<see cref="MatmulPeak.TrainingShapes"/>), measured in the same process before and after.
/// </summary>
public static class ThroughputBenchmark
{
    public static ModelConfig Config => new() { VocabSize = 4096, Dim = 256, Layers = 4, Heads = 4, ContextLength = 256 };
    public const int Batch = 8;

    public static IReadOnlyList<MatmulShape> Shapes => MatmulPeak.TrainingShapes(Config, Batch, Config.ContextLength);

    /// <summary>Tokens per wall second and per CPU-second, and the peaks (best per shape of a measurement before and after the steps).</summary>
    public static (double TokensPerSecond, double TokensPerCpuSecond, MatmulPeak Fp32, MatmulPeak? Bf16, string? Bf16Error) Run(int steps, int threads)
    {
        TorchRuntime.SetThreads(threads);
        var fp32 = MatmulPeak.Measure(Shapes, ScalarType.Float32);
        var (bf16, bf16Error) = TryBf16();
        manual_seed(1);
        using var model = new Transformer(Config);
        using var optimizer = new AdamW(model.named_parameters(), weightDecay: 0.1);
        var seqLen = Config.ContextLength;
        var parameters = optimizer.Parameters.ToArray();
        void Step()
        {
            using var scope = NewDisposeScope();
            var tokens = randint(Config.VocabSize, [Batch, seqLen + 1], dtype: ScalarType.Int64);
            var loss = model.Loss(tokens.narrow(1, 0, seqLen), tokens.narrow(1, 1, seqLen));
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, 1.0);
            optimizer.Step(1e-4);
            optimizer.ZeroGrad();
        }
        for (var i = 0; i < 3; i++) Step();
        // Best of three rounds: on a shared machine the least-disturbed round is the closest to the real speed.
        double tokensPerSecond = 0, tokensPerCpuSecond = 0;
        for (var round = 0; round < 3; round++)
        {
            var cpu = Environment.CpuUsage.TotalTime;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < steps; i++) Step();
            tokensPerSecond = Math.Max(tokensPerSecond, steps * Batch * seqLen / clock.Elapsed.TotalSeconds);
            tokensPerCpuSecond = Math.Max(tokensPerCpuSecond, steps * Batch * seqLen / (Environment.CpuUsage.TotalTime - cpu).TotalSeconds);
        }
        fp32 = Best(fp32, MatmulPeak.Measure(Shapes, ScalarType.Float32));
        if (bf16 is not null) bf16 = Best(bf16, MatmulPeak.Measure(Shapes, ScalarType.BFloat16));
        return (tokensPerSecond, tokensPerCpuSecond, fp32, bf16, bf16Error);
    }

    /// <summary>
    /// The real trainer (<see cref="CausalLmTrainer"/>: schedule, clip, AdamW, its MFU against the peak it measures at start)
    /// on random tokens for <paramref name="steps"/> steps, fp32 or with <c>bf16: true</c>; returns its summary, the process
    /// CPU-seconds of the run and its "matmul peak" log line. The loop time includes the first steps and the final checkpoint.
    /// </summary>
    public static (TrainingSummary Summary, double CpuSeconds, string PeakLine) RunTrainer(bool bf16, int steps, int threads)
    {
        var random = new Random(3);
        var tokens = new int[64 * (Config.ContextLength + 1)];
        for (var i = 0; i < tokens.Length; i++) tokens[i] = random.Next(Config.VocabSize);
        var train = new InMemoryTokenBatches(InMemoryTokenBatches.Chunk(tokens, Config.ContextLength), Batch, seed: 1);
        var output = Directory.CreateTempSubdirectory("dataflow-bench-trainer-");
        try
        {
            manual_seed(1);
            using var model = new Transformer(Config);
            var options = new TrainingOptions
            {
                MaxSteps = steps, WarmupSteps = 1, LearningRate = 1e-4, LogEvery = steps, EvalEvery = steps, CheckpointEvery = steps, KeepLast = 1,
                Threads = threads, Bf16 = bf16,
            };
            var log = new StringWriter();
            var cpu = Environment.CpuUsage.TotalTime;
            var summary = new CausalLmTrainer(model, options, train, null, output.FullName) { Log = log }.Run();
            var cpuSeconds = (Environment.CpuUsage.TotalTime - cpu).TotalSeconds;
            var peakLine = log.ToString().Split('\n').FirstOrDefault(l => l.StartsWith("matmul peak", StringComparison.Ordinal)) ?? "";
            return (summary, cpuSeconds, peakLine.Trim());
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static (MatmulPeak?, string?) TryBf16()
    {
        try
        {
            return (MatmulPeak.Measure(Shapes, ScalarType.BFloat16), null);
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or NotSupportedException)
        {
            return (null, e.Message.Split('\n')[0]);
        }
    }

    /// <summary>Per shape, the faster of two measurements.</summary>
    private static MatmulPeak Best(MatmulPeak a, MatmulPeak b) => new()
    {
        DType = a.DType,
        PerShape = a.PerShape.Select(t => b.PerShape.FirstOrDefault(u => u.Shape == t.Shape) is { } u
            ? t with { Flops = Math.Max(t.Flops, u.Flops), FlopsPerCpuSecond = Math.Max(t.FlopsPerCpuSecond, u.FlopsPerCpuSecond) }
            : t).ToList(),
    };
}
