namespace DataFlow.Engine.Tokens;

/// <summary>
/// One epoch's visiting order of rows for <see cref="TokenBatchSampler"/>. With blocks of one row it is a full random
/// permutation. With larger blocks, whole blocks of consecutive rows are permuted and rows are shuffled within windows of
/// <c>windowBlocks</c> blocks, so a reader decodes each Parquet row group once per window instead of once per row
/// (rows on disk are already globally shuffled by the tokenize stage, so consecutive rows are unrelated).
/// Only whole windows are visited; the rows left over change every epoch (block order and a per-epoch offset).
/// </summary>
public sealed class BlockShuffledOrder
{
    private readonly long _rowCount;
    private readonly int _blockRows;
    private readonly int _windowBlocks;
    private readonly ulong _key;
    private readonly ShuffledIndexPermutation _blocks;
    private readonly long _shift;
    private ShuffledIndexPermutation? _window;
    private long _windowIndex = -1;

    public BlockShuffledOrder(long rowCount, int blockRows, int windowBlocks, ulong key)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowBlocks, 1);
        var blocks = rowCount / blockRows;
        var windows = blocks / windowBlocks;
        if (windows == 0) throw new ArgumentException($"{rowCount} rows do not fill one window of {windowBlocks} blocks of {blockRows} rows", nameof(rowCount));
        _rowCount = rowCount;
        _blockRows = blockRows;
        _windowBlocks = windowBlocks;
        _key = key;
        _blocks = new ShuffledIndexPermutation(blocks, key);
        Count = windows * windowBlocks * blockRows;
        _shift = Count == rowCount ? 0 : (long)(Mix(key ^ 0x5851F42D4C957F2DUL) % (ulong)rowCount);
    }

    /// <summary>Rows visited per epoch (all rows when blocks are single rows).</summary>
    public long Count { get; }

    public long this[long position]
    {
        get
        {
            if ((ulong)position >= (ulong)Count) throw new ArgumentOutOfRangeException(nameof(position));
            if (_blockRows == 1 && _windowBlocks == 1) return _blocks[position];
            var windowRows = (long)_windowBlocks * _blockRows;
            var window = position / windowRows;
            if (window != _windowIndex)
            {
                _window = new ShuffledIndexPermutation(windowRows, Mix(_key + (ulong)window + 1));
                _windowIndex = window;
            }
            var inWindow = _window![position % windowRows];
            var block = _blocks[window * _windowBlocks + inWindow / _blockRows];
            return (block * _blockRows + inWindow % _blockRows + _shift) % _rowCount;
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
