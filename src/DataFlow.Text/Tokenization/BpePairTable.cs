using System.Runtime.CompilerServices;

namespace DataFlow.Text.Tokenization;

/// <summary>
/// Which adjacent token pairs merge: (left id, right id) to (priority, merged id), open addressing over two flat arrays
/// with a multiplicative hash (a Dictionary of longs hashes a pair to left ^ right, which collides for most small ids).
/// </summary>
internal sealed class BpePairTable
{
    private const long Empty = -1;
    private readonly long[] _entries; // key, value, key, value, ...: one cache line per probe
    private readonly int _shift;

    /// <param name="pairs">Keys and values as <see cref="Key"/> and <see cref="Value"/> make them; the first of a repeated key wins.</param>
    public BpePairTable(IReadOnlyCollection<(long Key, long Value)> pairs)
    {
        var bits = 4;
        while (1L << bits < 2L * pairs.Count) bits++;
        _shift = 64 - bits;
        _entries = new long[2 << bits];
        for (var i = 0; i < _entries.Length; i += 2) _entries[i] = Empty;
        var mask = (1 << bits) - 1;
        foreach (var (key, value) in pairs)
        {
            var slot = Slot(key);
            while (_entries[2 * slot] != Empty && _entries[2 * slot] != key) slot = (slot + 1) & mask;
            if (_entries[2 * slot] == key) continue;
            _entries[2 * slot] = key;
            _entries[2 * slot + 1] = value;
        }
        Count = pairs.Count;
    }

    public int Count { get; }

    public static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    public static long Value(int priority, int merged) => ((long)priority << 32) | (uint)merged;

    /// <summary>The priority and merged id of the pair, if it merges.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(int left, int right, out int priority, out int merged)
    {
        var key = Key(left, right);
        var mask = (_entries.Length >> 1) - 1;
        for (var slot = Slot(key); ; slot = (slot + 1) & mask)
        {
            var found = _entries[2 * slot];
            if (found == key)
            {
                var value = _entries[2 * slot + 1];
                priority = (int)(value >> 32);
                merged = (int)value;
                return true;
            }
            if (found == Empty) break;
        }
        priority = merged = 0;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(long key) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> _shift);
}
