using System.Diagnostics;
using DataFlow.Trainer.Model;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Training;

/// <summary>
/// The matmul peak of this machine for one dtype, measured at the shapes a training step of the model runs (every
/// projection, the MLP, the output head and the attention's batched products, forward and backward) with the current
/// libtorch thread count: the best FLOP/s over those shapes is the peak MFU is measured against.
/// </summary>
public sealed class MatmulPeak
{
    public required ScalarType DType { get; init; }

    /// <summary>Each measured shape's best speed, in the order measured (largest product first).</summary>
    public required IReadOnlyList<MatmulTiming> PerShape { get; init; }

    /// <summary>Best FLOP per wall second over the shapes.</summary>
    public double Flops => PerShape.Count == 0 ? 0 : PerShape.Max(t => t.Flops);

    /// <summary>Best FLOP per process CPU-second over the shapes.</summary>
    public double FlopsPerCpuSecond => PerShape.Count == 0 ? 0 : PerShape.Max(t => t.FlopsPerCpuSecond);

    /// <summary>
    /// The products of one training step on <paramref name="batch"/> rows of <paramref name="seqLen"/> tokens (m = batch x seqLen):
    /// per linear layer [m, in] x [in, out] forward (weight read transposed), the input gradient [m, out] x [out, in] and the
    /// weight gradient [out, m] x [m, in] (output gradient read transposed); per layer and head the attention scores
    /// Q K^T and the weighted values P V forward, and in the backward one product of the first kind (dO V^T) and three of
    /// the second (dV = P^T dO, dQ = dS K, dK = dS^T Q). Their FLOPs per token sum to
    /// <see cref="ModelConfig.TrainingFlopsPerToken"/> less the norm gains' 6 FLOPs each.
    /// </summary>
    public static IReadOnlyList<MatmulShape> TrainingShapes(ModelConfig config, int batch, int seqLen)
    {
        long m = (long)batch * seqLen, d = config.Dim, kv = (long)config.KvHeadCount * config.HeadDim, hd = config.HeadDim;
        var shapes = new List<MatmulShape>();
        void Linear(string name, long input, long output, int count)
        {
            shapes.Add(new MatmulShape($"{name} forward", 1, m, input, output, false, true, count));
            shapes.Add(new MatmulShape($"{name} input grad", 1, m, output, input, false, false, count));
            shapes.Add(new MatmulShape($"{name} weight grad", 1, output, m, input, true, false, count));
        }
        var layers = config.Layers;
        if (kv == d) Linear("q/k/v projection", d, d, 3 * layers);
        else
        {
            Linear("q projection", d, d, layers);
            Linear("k/v projection", d, kv, 2 * layers);
        }
        Linear("out projection", d, d, layers);
        Linear("MLP up (w1, w3)", d, config.Hidden, 2 * layers);
        Linear("MLP down (w2)", config.Hidden, d, layers);
        Linear("LM head", d, config.VocabSize, 1);
        long bh = (long)batch * config.Heads, t = seqLen;
        shapes.Add(new MatmulShape("attention Q K^T forward", bh, t, hd, t, false, true, layers));
        shapes.Add(new MatmulShape("attention P V forward", bh, t, t, hd, false, false, layers));
        shapes.Add(new MatmulShape("attention dO V^T backward", bh, t, hd, t, false, true, layers));
        shapes.Add(new MatmulShape("attention dS K, P^T dO, dS^T Q backward", bh, t, t, hd, false, false, 3 * layers));
        return shapes;
    }

    /// <summary>
    /// Times each shape (largest first): one warm-up product, then the best of <paramref name="repeats"/>; stops taking
    /// new shapes once <paramref name="budget"/> is spent. Operands come from a private generator, so the global random
    /// state (data order, checkpointed RNG) is untouched. Throws when libtorch cannot multiply in <paramref name="dtype"/>.
    /// </summary>
    public static MatmulPeak Measure(IEnumerable<MatmulShape> shapes, ScalarType dtype, int repeats = 3, TimeSpan? budget = null)
    {
        using var noGrad = no_grad();
        using var generator = new Generator(12345);
        var clock = Stopwatch.StartNew();
        var timings = new List<MatmulTiming>();
        // Products of the same shape and layout are timed once, under all their names.
        var distinct = shapes.GroupBy(s => s.ToString()).Select(g => g.First() with { Name = string.Join("; ", g.Select(s => s.Name)), PerStep = g.Sum(s => s.PerStep) });
        foreach (var shape in distinct.OrderByDescending(s => s.Flops))
        {
            if (budget is { } limit && timings.Count > 0 && clock.Elapsed > limit) break;
            using var scope = NewDisposeScope();
            var a = randn([shape.Batch, shape.TransposeA ? shape.K : shape.M, shape.TransposeA ? shape.M : shape.K], generator: generator).to(dtype);
            var b = randn([shape.Batch, shape.TransposeB ? shape.N : shape.K, shape.TransposeB ? shape.K : shape.N], generator: generator).to(dtype);
            if (shape.TransposeA) a = a.mT;
            if (shape.TransposeB) b = b.mT;
            if (shape.Batch == 1) (a, b) = (a[0], b[0]);
            a.matmul(b).Dispose();
            double best = 0, bestCpu = 0;
            for (var i = 0; i < repeats; i++)
            {
                var cpu = Environment.CpuUsage.TotalTime;
                var wall = Stopwatch.GetTimestamp();
                a.matmul(b).Dispose();
                var seconds = Stopwatch.GetElapsedTime(wall).TotalSeconds;
                var cpuSeconds = (Environment.CpuUsage.TotalTime - cpu).TotalSeconds;
                best = Math.Max(best, shape.Flops / Math.Max(seconds, 1e-9));
                bestCpu = Math.Max(bestCpu, shape.Flops / Math.Max(cpuSeconds, 1e-6));
            }
            timings.Add(new MatmulTiming(shape, best, bestCpu));
        }
        return new MatmulPeak { DType = dtype, PerShape = timings };
    }

    /// <summary>
    /// The cheap measurement a trainer takes once at start: the model's shapes on at most 512 token rows (a whole
    /// sequence when it is longer), best of 2, within about half a second.
    /// </summary>
    public static MatmulPeak ForTraining(ModelConfig config, int batch, int seqLen, ScalarType dtype) =>
        Measure(TrainingShapes(config, Math.Clamp(512 / Math.Max(1, seqLen), 1, batch), seqLen), dtype, repeats: 2, budget: TimeSpan.FromSeconds(0.5));
}
