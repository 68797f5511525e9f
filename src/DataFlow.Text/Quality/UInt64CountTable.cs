using System.Numerics;
using System.Runtime.InteropServices;

namespace DataFlow.Text.Quality;

/// <summary>
/// Open-addressing hash table from 64-bit keys (already hashes) to a count and the index of the first occurrence.
/// Key, count and index share one 16-byte entry, so a probe touches one cache line. <see cref="Clear"/> sizes the
/// table for the keys about to be added (its in-use part, not the array, which keeps its largest size), so a short
/// document probes a few cache lines, not the region a long book once needed; cleared in O(used) and grown by
/// doubling, so steady-state work allocates nothing; size is bounded by the largest document.
/// </summary>
internal sealed class UInt64CountTable
{
    private const int MinCapacity = 64;

    [StructLayout(LayoutKind.Sequential)]
    private struct Entry
    {
        public ulong Key;
        public int Count;
        public int First;
    }

    private Entry[] _entries = new Entry[1024];
    private int[] _used = new int[512];
    private int _mask = 1023;
    private int _size;
    private int _bestCount;
    private int _bestFirst = int.MaxValue;

    public int Count => _size;

    /// <summary>Empties the table; <paramref name="expectedKeys"/> (an upper bound is best) sizes it so adds do not grow it.</summary>
    public void Clear(int expectedKeys = 512)
    {
        for (var i = 0; i < _size; i++) _entries[_used[i]].Count = 0;
        _size = 0;
        _bestCount = 0;
        _bestFirst = int.MaxValue;
        var capacity = (int)Math.Min(1 << 30, BitOperations.RoundUpToPowerOf2((uint)Math.Max(MinCapacity, 2 * Math.Max(1, expectedKeys))));
        if (capacity > _entries.Length)
        {
            _entries = new Entry[capacity];
            _used = new int[capacity / 2 + 1];
        }
        _mask = capacity - 1;
    }

    /// <summary>Adds one occurrence; returns the count after adding.</summary>
    public int Add(ulong key, int index) => Add(key, index, out _);

    /// <summary>Adds one occurrence; returns the count after adding and the index the key was first added with.</summary>
    public int Add(ulong key, int index, out int first)
    {
        var slot = Find(key);
        ref var entry = ref _entries[slot];
        int count;
        if (entry.Count != 0)
        {
            count = ++entry.Count;
            first = entry.First;
        }
        else
        {
            entry.Key = key;
            entry.First = first = index;
            entry.Count = count = 1;
            _used[_size++] = slot;
        }
        // The most common key so far, ties to the earliest first occurrence, kept as keys are added (no scan later).
        if (count > _bestCount || (count == _bestCount && first < _bestFirst))
        {
            _bestCount = count;
            _bestFirst = first;
        }
        if (_size * 2 > _mask + 1) Grow();
        return count;
    }

    /// <summary>How often the key was added (0 when absent).</summary>
    public int CountOf(ulong key) => _entries[Find(key)].Count;

    /// <summary>True if the key was present; otherwise adds it and returns false.</summary>
    public bool ContainsOrAdd(ulong key, int index) => Add(key, index) > 1;

    /// <summary>The most frequent key; ties go to the earliest first occurrence (like Python's Counter.most_common).</summary>
    public (int Count, int FirstIndex) MostCommon() => (_bestCount, _bestFirst);

    private int Find(ulong key)
    {
        var entries = _entries;
        var mask = _mask;
        var slot = (int)(key ^ (key >> 32)) & mask;
        while (entries[slot].Count != 0 && entries[slot].Key != key) slot = (slot + 1) & mask;
        return slot;
    }

    private void Grow()
    {
        var capacity = (_mask + 1) * 2;
        var old = _entries;
        var oldUsed = _used;
        var n = _size;
        var moved = new Entry[n];
        for (var i = 0; i < n; i++)
        {
            moved[i] = old[oldUsed[i]];
            old[oldUsed[i]].Count = 0;
        }
        if (capacity > old.Length)
        {
            _entries = new Entry[capacity];
            _used = new int[capacity / 2 + 1];
        }
        _mask = capacity - 1;
        _size = 0;
        foreach (var e in moved)
        {
            var slot = Find(e.Key);
            _entries[slot] = e;
            _used[_size++] = slot;
        }
    }
}
