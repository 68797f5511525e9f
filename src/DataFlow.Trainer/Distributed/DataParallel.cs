using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Distributed;

/// <summary>
/// Data-parallel training over MPI, the one path of every trainer (pretrain, SFT, reward, PPO), written so a loop
/// reads the same with one process (<see cref="Single"/>: every call is the identity) or N ranks. Every rank holds the
/// whole model; rank 0's parameters are broadcast at the start (<see cref="Broadcast"/>); after each backward pass the
/// gradients are averaged over ranks in buckets (many small tensors packed into one buffer per all-reduce, so the call
/// count stays low). The contract that makes N ranks step like one process with the whole batch: each rank trains on
/// its contiguous share of every global batch (<see cref="ShareOf"/>, <see cref="RankShardedBatches"/>); a loss is a
/// rank's <em>sum</em> over its rows divided by <see cref="MeanDenominator"/> of the global count (or a mean over
/// equal shares), so the average of the ranks' gradients is the gradient of the global mean; logged numbers are
/// averaged over ranks; rank 0 alone writes.
/// </summary>
public sealed class DataParallel
{
    /// <summary>4 MiB of float32 per all-reduce, in the range PyTorch DDP uses (25 MB) scaled to small CPU models.</summary>
    public const int DefaultBucketFloats = 1 << 20;

    private readonly float[] _bucket;
    private readonly Stopwatch _allReduceClock = new();

    /// <param name="communicator">The MPI ranks (null: one process, no communication).</param>
    public DataParallel(MpiCommunicator? communicator, int bucketFloats = DefaultBucketFloats)
    {
        Communicator = communicator;
        _bucket = communicator is null ? [] : new float[Math.Max(1, bucketFloats)];
    }

    /// <summary>One process: no communication.</summary>
    public static DataParallel Single { get; } = new(null);

    public MpiCommunicator? Communicator { get; }
    public int Rank => Communicator?.Rank ?? 0;
    public int Size => Communicator?.Size ?? 1;
    public bool IsRoot => Rank == 0;
    public bool IsDistributed => Communicator is not null;

    /// <summary>Wall time this rank spent inside gradient all-reduces (waiting for slower ranks included).</summary>
    public TimeSpan AllReduceTime => _allReduceClock.Elapsed;

    public long AllReduceCalls { get; private set; }

    /// <summary>This rank's rows [First, First + Count) of a global batch of <paramref name="rows"/> rows.</summary>
    public (int First, int Count) ShareOf(int rows, string what = "batch")
    {
        if (rows % Size != 0) throw new ArgumentException($"the global {what} of {rows} rows must divide evenly over {Size} ranks");
        var count = rows / Size;
        return (Rank * count, count);
    }

    /// <summary>This rank's rows of a global list.</summary>
    public List<T> Rows<T>(IReadOnlyList<T> global, string what = "batch")
    {
        var (first, count) = ShareOf(global.Count, what);
        return global.Skip(first).Take(count).ToList();
    }

    /// <summary>This rank's rows of a global batch tensor (dimension 0).</summary>
    public Tensor Rows(Tensor global, string what = "batch")
    {
        var (first, count) = ShareOf((int)global.shape[0], what);
        return Size == 1 ? global : global.narrow(0, first, count);
    }

    /// <summary>
    /// What a rank divides its summed loss by so that the mean over ranks is the global mean: the global count
    /// (tokens, pairs) over the number of ranks. With one process it is the count itself.
    /// </summary>
    public double MeanDenominator(double globalCount) => Math.Max(1, globalCount) / Size;

    /// <summary>Makes every rank start from rank 0's weights (each rank initializes its model with its own RNG state).</summary>
    public unsafe void Broadcast(IEnumerable<Tensor> parameters)
    {
        if (Communicator is null) return;
        using var noGrad = no_grad();
        foreach (var p in parameters)
        {
            var data = Floats(p, "parameter");
            fixed (float* ptr = data) Communicator.Broadcast(ptr, data.Length);
        }
    }

    /// <summary>
    /// Replaces every gradient with its mean over all ranks (call after backward, before clipping). Parameters without
    /// a gradient are skipped (the same on every rank: same model, same graph).
    /// </summary>
    public void AverageGradients(IEnumerable<Tensor> parameters)
    {
        if (Communicator is null) return;
        var grads = new List<Tensor>();
        foreach (var p in parameters)
            if (p.grad is { } g) grads.Add(g);
        AverageInPlace(grads);
    }

    /// <summary>Replaces each tensor (contiguous float32 on the CPU) with its element-wise mean over all ranks.</summary>
    public unsafe void AverageInPlace(IReadOnlyList<Tensor> grads)
    {
        if (Communicator is null) return;
        var scale = 1f / Size;
        var filled = 0;
        var pending = new List<(Tensor Grad, int Offset)>();
        _allReduceClock.Start();
        try
        {
            foreach (var grad in grads)
            {
                var data = Floats(grad, "gradient");
                var count = data.Length;
                if (count > _bucket.Length)
                {
                    // Bigger than a bucket (an embedding, say): reduce it in place in its own storage.
                    fixed (float* ptr = data) Communicator.AllReduceSum(ptr, count);
                    AllReduceCalls++;
                    foreach (ref var x in data) x *= scale;
                    continue;
                }
                if (filled + count > _bucket.Length) Flush(pending, ref filled, scale);
                data.CopyTo(_bucket.AsSpan(filled));
                pending.Add((grad, filled));
                filled += count;
            }
            Flush(pending, ref filled, scale);
        }
        finally
        {
            _allReduceClock.Stop();
        }
    }

    /// <summary>Each value's mean over ranks (one all-reduce for all of them): what rank 0 logs.</summary>
    public double[] Average(params double[] values)
    {
        if (Communicator is null) return values;
        var buffer = values.ToArray();
        Communicator.AllReduceSum(buffer);
        for (var i = 0; i < buffer.Length; i++) buffer[i] /= Size;
        return buffer;
    }

    /// <summary>The mean of a scalar (a loss) over ranks, so rank 0 logs what a single rank with the global batch would.</summary>
    public double Average(double value) => Average([value])[0];

    /// <summary>
    /// Every rank's rows, everywhere: rank r passes its <c>Count</c> rows of <paramref name="width"/> floats (row-major),
    /// and gets back all <paramref name="globalRows"/> rows in global order. Done as a sum all-reduce over a zeroed
    /// buffer, so each value arrives unchanged (x + 0 = x).
    /// </summary>
    public float[] GatherRows(float[] local, int globalRows, int width)
    {
        var (first, count) = ShareOf(globalRows);
        if (local.Length != count * width) throw new ArgumentException($"rank {Rank} passes {local.Length} floats, expected {count} rows of {width}");
        if (Communicator is null) return local;
        var all = new float[globalRows * width];
        local.CopyTo(all, first * width);
        Communicator.AllReduceSum(all);
        return all;
    }

    /// <summary>Throws on every rank at once unless all ranks hold the same <paramref name="value"/> (e.g. the step a resume starts from).</summary>
    public void Agree(long value, string what)
    {
        if (Communicator is null) return;
        Span<double> sums = [value, (double)value * value];
        Communicator.AllReduceSum(sums);
        // All equal exactly when N * sum(v^2) == sum(v)^2 (Cauchy-Schwarz); every rank reaches the same verdict.
        if (Math.Abs(Size * sums[1] - sums[0] * sums[0]) > 0.5)
            throw new InvalidOperationException($"MPI ranks disagree on {what} (rank {Rank} has {value}, mean {sums[0] / Size}); do all ranks see the same output folder?");
    }

    /// <summary>
    /// The largest |w - w_rank0| over all parameters and ranks (0 when the replicas are in lockstep). Run once at the
    /// end: rank 0 writes the checkpoints, so a rank that drifted would otherwise go unnoticed.
    /// </summary>
    public double Divergence(IEnumerable<Tensor> parameters)
    {
        if (Communicator is null) return 0;
        var largest = 0.0;
        using var noGrad = no_grad();
        foreach (var p in parameters)
        {
            using var scope = NewDisposeScope();
            var mine = MemoryMarshal.Cast<byte, float>(p.contiguous().bytes).ToArray();
            var root = mine.ToArray();
            Communicator.Broadcast(root);
            for (var i = 0; i < mine.Length; i++) largest = Math.Max(largest, Math.Abs(mine[i] - root[i]));
        }
        Span<double> sum = [largest];
        Communicator.AllReduceSum(sum); // a sum of non-negative maxima: 0 only if every rank matched
        return sum[0];
    }

    /// <summary>A seed that differs per rank (for dropout masks, which then are independent across a batch's shares).</summary>
    public long RankSeed(long seed) => seed + Rank * 1_000_000_007L;

    private unsafe void Flush(List<(Tensor Grad, int Offset)> pending, ref int filled, float scale)
    {
        if (filled == 0) return;
        Communicator!.AllReduceSum(_bucket.AsSpan(0, filled));
        AllReduceCalls++;
        foreach (var (grad, offset) in pending)
        {
            var data = Floats(grad, "gradient");
            var reduced = _bucket.AsSpan(offset, data.Length);
            for (var i = 0; i < data.Length; i++) data[i] = reduced[i] * scale;
        }
        pending.Clear();
        filled = 0;
    }

    /// <summary>The tensor's own storage as floats (no copy), so MPI reads and writes it in place.</summary>
    private static Span<float> Floats(Tensor t, string what)
    {
        if (t.device_type != DeviceType.CPU || t.dtype != ScalarType.Float32 || !t.is_contiguous())
            throw new NotSupportedException($"MPI data parallelism handles contiguous float32 CPU tensors; a {what} is {t.dtype} on {t.device_type}");
        return MemoryMarshal.Cast<byte, float>(t.bytes);
    }

}
