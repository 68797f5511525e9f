namespace DataFlow.Trainer.Training;

/// <summary>
/// The order a trainer visits its rows in: epoch after epoch, each a permutation of [0, count) shuffled by
/// <c>new Random(DeterministicSeed.Of(seed, epoch)).Shuffle</c>, so the row at any global position is known from the
/// position alone (resume continues exactly). One epoch's permutation is kept: memory is one int per row, nothing per step.
/// </summary>
public sealed class EpochOrder(int count, long seed)
{
    private readonly int[] _order = new int[count];
    private int _epoch = -1;

    public int Count => count;

    /// <summary>The row index at global position <paramref name="position"/> (epoch = position / count).</summary>
    public int At(long position)
    {
        if (count == 0) throw new InvalidOperationException("no rows to order");
        var epoch = (int)(position / count);
        if (epoch != _epoch)
        {
            for (var i = 0; i < count; i++) _order[i] = i;
            new Random(DeterministicSeed.Of(seed, epoch)).Shuffle(_order);
            _epoch = epoch;
        }
        return _order[(int)(position % count)];
    }
}
