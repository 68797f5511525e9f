using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Distributed;

/// <summary>
/// Data-parallel training over MPI: every rank holds the whole model, rank 0's parameters are broadcast at the
/// start, and after each backward pass the gradients are averaged over ranks in buckets (many small tensors
/// packed into one buffer per all-reduce, so the call count stays low). Each rank sees its own slice of every
/// global batch (<see cref="RankShardedBatches"/>), so N ranks step exactly like one rank with the whole batch.
/// </summary>
public sealed class DataParallel(MpiCommunicator communicator, int bucketFloats = DataParallel.DefaultBucketFloats)
{
    /// <summary>4 MiB of float32 per all-reduce, in the range PyTorch DDP uses (25 MB) scaled to small CPU models.</summary>
    public const int DefaultBucketFloats = 1 << 20;

    private readonly float[] _bucket = new float[Math.Max(1, bucketFloats)];
    private readonly Stopwatch _allReduceClock = new();

    public MpiCommunicator Communicator { get; } = communicator;
    public int Rank => Communicator.Rank;
    public int Size => Communicator.Size;
    public bool IsRoot => Communicator.IsRoot;

    /// <summary>Wall time spent inside gradient all-reduces (for the all-reduce share of a step).</summary>
    public TimeSpan AllReduceTime => _allReduceClock.Elapsed;

    public long AllReduceCalls { get; private set; }

    /// <summary>Makes every rank start from rank 0's weights (each rank initializes its model with its own RNG state).</summary>
    public unsafe void BroadcastParameters(IEnumerable<Tensor> parameters)
    {
        using var noGrad = no_grad();
        foreach (var p in parameters)
        {
            var data = Floats(p, "parameter");
            fixed (float* ptr = data) Communicator.Broadcast(ptr, data.Length);
        }
    }

    /// <summary>Replaces every gradient with its mean over all ranks. Parameters without a gradient are skipped (the same on every rank: same model, same graph).</summary>
    public void AverageGradients(IReadOnlyList<Tensor> parameters)
    {
        var grads = new List<Tensor>();
        foreach (var p in parameters)
            if (p.grad is { } g) grads.Add(g);
        AverageInPlace(grads);
    }

    /// <summary>Replaces each tensor (contiguous float32 on the CPU) with its element-wise mean over all ranks.</summary>
    public unsafe void AverageInPlace(IReadOnlyList<Tensor> grads)
    {
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

    /// <summary>The mean of a scalar (a loss) over ranks, so rank 0 logs what a single rank with the global batch would.</summary>
    public double Average(double value) => Communicator.Average(value);

    private unsafe void Flush(List<(Tensor Grad, int Offset)> pending, ref int filled, float scale)
    {
        if (filled == 0) return;
        Communicator.AllReduceSum(_bucket.AsSpan(0, filled));
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
