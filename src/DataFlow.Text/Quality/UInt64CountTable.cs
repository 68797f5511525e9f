using System.Runtime.InteropServices;

namespace DataFlow.Text.Quality;

/// <summary>
/// Open-addressing hash table from 64-bit keys (already hashes) to a count and the index of the first occurrence.
/// Key, count and index share one 16-byte entry, so a probe touches one cache line. Cleared in O(used) between
/// documents and grown by doubling, so steady-state work allocates nothing; size is bounded by the largest document.
/// </summary>
internal sealed class UInt64CountTable
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Entry
    {
        public ulong Key;
        public int Count;
        public int First;
    }

    private Entry[] _entries = new Entry[1024];
    private int[] _used = new int[1024];
    private int _size;

    public int Count => _size;

    public void Clear()
    {
        for (var i = 0; i < _size; i++) _entries[_used[i]].Count = 0;
        _size = 0;
    }

    /// <summary>Adds one occurrence; returns the count after adding.</summary>
    public int Add(ulong key, int index)
    {
        var slot = Find(key);
        ref var entry = ref _entries[slot];
        if (entry.Count != 0) return ++entry.Count;
        entry.Key = key;
        entry.First = index;
        entry.Count = 1;
        _used[_size++] = slot;
        if (_size * 2 > _entries.Length) Grow();
        return 1;
    }

    /// <summary>How often the key was added (0 when absent).</summary>
    public int CountOf(ulong key) => _entries[Find(key)].Count;

    /// <summary>True if the key was present; otherwise adds it and returns false.</summary>
    public bool ContainsOrAdd(ulong key, int index) => Add(key, index) > 1;

    /// <summary>The most frequent key; ties go to the earliest first occurrence (like Python's Counter.most_common).</summary>
    public (int Count, int FirstIndex) MostCommon()
    {
        var bestCount = 0;
        var bestFirst = int.MaxValue;
        for (var i = 0; i < _size; i++)
        {
            ref var e = ref _entries[_used[i]];
            if (e.Count > bestCount || (e.Count == bestCount && e.First < bestFirst))
            {
                bestCount = e.Count;
                bestFirst = e.First;
            }
        }
        return (bestCount, bestFirst);
    }

    private int Find(ulong key)
    {
        var entries = _entries;
        var mask = entries.Length - 1;
        var slot = (int)(key ^ (key >> 32)) & mask;
        while (entries[slot].Count != 0 && entries[slot].Key != key) slot = (slot + 1) & mask;
        return slot;
    }

    private void Grow()
    {
        var old = _entries;
        var oldUsed = _used;
        var n = _size;
        _entries = new Entry[old.Length * 2];
        _used = new int[old.Length * 2];
        _size = 0;
        for (var i = 0; i < n; i++)
        {
            var e = old[oldUsed[i]];
            var slot = Find(e.Key);
            _entries[slot] = e;
            _used[_size++] = slot;
        }
    }
}
