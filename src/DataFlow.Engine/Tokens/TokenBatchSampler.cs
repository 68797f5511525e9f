namespace DataFlow.Engine.Tokens;

/// <summary>
/// Deterministic, epoch-aware shuffled batches of row indices for data-parallel training.
/// Each epoch visits the rows in a fresh order keyed by (seed, epoch); a step takes <c>batchSize * worldSize</c>
/// consecutive positions of that order and rank r gets slice r. Steps per epoch round down, so every rank runs the same
/// number of steps and an epoch's last partial global batch is skipped (those rows come back in later epochs' orders).
/// The state is only <see cref="Position"/>: restoring it resumes the exact sequence.
/// By default the order is a full random permutation, which reads fast while the split fits in the dataset's row-group
/// cache; for larger data pass <c>blockRows</c> = the shards' row-group size and <c>windowBlocks</c> of a few, see <see cref="BlockShuffledOrder"/>.
/// </summary>
public sealed class TokenBatchSampler
{
    private BlockShuffledOrder _order;

    public TokenBatchSampler(long rowCount, int batchSize, long seed, int rank = 0, int worldSize = 1, int blockRows = 1, int windowBlocks = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        if (rank < 0 || rank >= worldSize) throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} outside [0, {worldSize})");
        var globalBatch = (long)batchSize * worldSize;
        if (rowCount < globalBatch)
            throw new ArgumentException($"{rowCount} rows cannot fill one global batch of {batchSize} x {worldSize} ranks", nameof(rowCount));
        RowCount = rowCount;
        BatchSize = batchSize;
        Seed = seed;
        Rank = rank;
        WorldSize = worldSize;
        BlockRows = blockRows;
        WindowBlocks = windowBlocks;
        _order = OrderFor(0);
        StepsPerEpoch = _order.Count / globalBatch;
        if (StepsPerEpoch == 0)
            throw new ArgumentException($"{_order.Count} rows per epoch cannot fill one global batch of {batchSize} x {worldSize} ranks", nameof(rowCount));
    }

    public long RowCount { get; }
    public int BatchSize { get; }
    public long Seed { get; }
    public int Rank { get; }
    public int WorldSize { get; }
    public int BlockRows { get; }
    public int WindowBlocks { get; }
    public long StepsPerEpoch { get; }

    /// <summary>The next batch this sampler will hand out. Setting it resumes from a saved position.</summary>
    public TokenSamplerPosition Position
    {
        get;
        set
        {
            if (value.Epoch < 0 || value.Step < 0 || value.Step > StepsPerEpoch)
                throw new ArgumentOutOfRangeException(nameof(value), $"position {value} outside the {StepsPerEpoch} steps of an epoch");
            if (value.Epoch != field.Epoch) _order = OrderFor(value.Epoch);
            field = value;
        }
    }

    /// <summary>Fills <paramref name="rows"/> (length <see cref="BatchSize"/>) with this rank's row indices for the next step and advances.</summary>
    public void NextBatch(Span<long> rows)
    {
        if (rows.Length != BatchSize) throw new ArgumentException($"expected {BatchSize} slots, got {rows.Length}", nameof(rows));
        if (Position.Step == StepsPerEpoch) Position = new TokenSamplerPosition(Position.Epoch + 1, 0);
        BatchAt(Position.Step, rows);
        Position = Position with { Step = Position.Step + 1 };
    }

    public long[] NextBatch()
    {
        var rows = new long[BatchSize];
        NextBatch(rows);
        return rows;
    }

    private void BatchAt(long step, Span<long> rows)
    {
        var first = (step * WorldSize + Rank) * BatchSize;
        for (var i = 0; i < rows.Length; i++) rows[i] = _order[first + i];
    }

    private BlockShuffledOrder OrderFor(int epoch)
    {
        // Different seeds and epochs give unrelated keys; the same (seed, epoch) always gives the same order.
        var key = unchecked((ulong)Seed * 0x9E3779B97F4A7C15UL ^ ((ulong)epoch + 1) * 0xC2B2AE3D27D4EB4FUL);
        return new BlockShuffledOrder(RowCount, BlockRows, WindowBlocks, key);
    }
}
