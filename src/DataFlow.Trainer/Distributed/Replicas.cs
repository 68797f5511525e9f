using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Distributed;

/// <summary>
/// The data-parallel hooks the SFT, reward and PPO loops share, written so the loop reads the same with one process
/// (<see cref="Single"/>: every call is the identity) or N MPI ranks. The contract that makes N ranks step like one
/// process with the whole batch: every rank draws the same global batch and keeps its contiguous rows
/// (<see cref="ShareOf"/>); a loss is a rank's <em>sum</em> over its rows divided by <see cref="MeanDenominator"/> of the
/// global count, so the average of the ranks' gradients (<see cref="AverageGradients"/>, before clipping) is the
/// gradient of the global mean; logged numbers are averaged over ranks; rank 0 alone writes.
/// </summary>
public sealed class Replicas
{
    private readonly DataParallel? _parallel;

    public Replicas(DataParallel? parallel) => _parallel = parallel;

    /// <summary>One process: no communication.</summary>
    public static Replicas Single { get; } = new(null);

    public int Rank => _parallel?.Rank ?? 0;
    public int Size => _parallel?.Size ?? 1;
    public bool IsRoot => Rank == 0;
    public bool IsDistributed => _parallel is not null;

    /// <summary>Wall time this rank spent in gradient all-reduces (waiting for slower ranks included).</summary>
    public double AllReduceSeconds => _parallel?.AllReduceTime.TotalSeconds ?? 0;

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

    /// <summary>Makes every rank start from rank 0's weights.</summary>
    public void Broadcast(IEnumerable<Tensor> parameters) => _parallel?.BroadcastParameters(parameters);

    /// <summary>Replaces every gradient with its mean over ranks (call after backward, before clipping).</summary>
    public void AverageGradients(IEnumerable<Tensor> parameters) => _parallel?.AverageGradients(parameters.ToList());

    /// <summary>Each value's mean over ranks (one all-reduce for all of them): what rank 0 logs.</summary>
    public double[] Average(params double[] values)
    {
        if (_parallel is null) return values;
        var buffer = values.ToArray();
        _parallel.Communicator.AllReduceSum(buffer);
        for (var i = 0; i < buffer.Length; i++) buffer[i] /= Size;
        return buffer;
    }

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
        if (_parallel is null) return local;
        var all = new float[globalRows * width];
        local.CopyTo(all, first * width);
        _parallel.Communicator.AllReduceSum(all);
        return all;
    }

    /// <summary>Throws on every rank at once unless all ranks hold the same <paramref name="value"/> (e.g. the step a resume starts from).</summary>
    public void Agree(long value, string what)
    {
        if (_parallel is null) return;
        Span<double> sums = [value, (double)value * value];
        _parallel.Communicator.AllReduceSum(sums);
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
        if (_parallel is null) return 0;
        var largest = 0.0;
        using var noGrad = no_grad();
        foreach (var p in parameters)
        {
            using var scope = NewDisposeScope();
            var mine = MemoryMarshal.Cast<byte, float>(p.contiguous().bytes).ToArray();
            var root = mine.ToArray();
            _parallel.Communicator.Broadcast(root);
            for (var i = 0; i < mine.Length; i++) largest = Math.Max(largest, Math.Abs(mine[i] - root[i]));
        }
        Span<double> sum = [largest];
        _parallel.Communicator.AllReduceSum(sum); // a sum of non-negative maxima: 0 only if every rank matched
        return sum[0];
    }

    /// <summary>A seed that differs per rank (for dropout masks, which then are independent across a batch's shares).</summary>
    public long RankSeed(long seed) => seed + Rank * 1_000_000_007L;
}
