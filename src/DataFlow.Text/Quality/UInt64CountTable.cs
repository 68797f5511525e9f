namespace DataFlow.Text.Quality;

/// <summary>
/// Open-addressing hash table from 64-bit keys (already hashes) to a count and the index of the first occurrence.
/// Cleared in O(used) between documents and grown by doubling, so per-document work allocates nothing in steady state.
/// </summary>
internal sealed class UInt64CountTable
{
    private ulong[] _keys = new ulong[1024];
    private int[] _counts = new int[1024];
    private int[] _first = new int[1024];
    private int[] _used = new int[1024];
    private int _size;

    public int Count => _size;

    public void Clear()
    {
        for (var i = 0; i < _size; i++) _counts[_used[i]] = 0;
        _size = 0;
    }

    /// <summary>Adds one occurrence; returns the count after adding.</summary>
    public int Add(ulong key, int index)
    {
        var slot = Find(key);
        if (_counts[slot] == 0)
        {
            _keys[slot] = key;
            _first[slot] = index;
            _used[_size++] = slot;
            _counts[slot] = 1;
            if (_size * 2 > _keys.Length) Grow();
            return 1;
        }
        return ++_counts[slot];
    }

    /// <summary>True if the key was present; otherwise adds it and returns false.</summary>
    public bool ContainsOrAdd(ulong key, int index) => Add(key, index) > 1;

    /// <summary>The most frequent key; ties go to the earliest first occurrence (like Python's Counter.most_common).</summary>
    public (int Count, int FirstIndex) MostCommon()
    {
        var bestCount = 0;
        var bestFirst = int.MaxValue;
        for (var i = 0; i < _size; i++)
        {
            var slot = _used[i];
            var c = _counts[slot];
            if (c > bestCount || (c == bestCount && _first[slot] < bestFirst))
            {
                bestCount = c;
                bestFirst = _first[slot];
            }
        }
        return (bestCount, bestFirst);
    }

    private int Find(ulong key)
    {
        var mask = _keys.Length - 1;
        var slot = (int)(key ^ (key >> 32)) & mask;
        while (_counts[slot] != 0 && _keys[slot] != key) slot = (slot + 1) & mask;
        return slot;
    }

    private void Grow()
    {
        var oldKeys = _keys;
        var oldCounts = _counts;
        var oldFirst = _first;
        var oldUsed = _used;
        var n = _size;
        _keys = new ulong[oldKeys.Length * 2];
        _counts = new int[oldKeys.Length * 2];
        _first = new int[oldKeys.Length * 2];
        _used = new int[oldKeys.Length * 2];
        _size = 0;
        for (var i = 0; i < n; i++)
        {
            var old = oldUsed[i];
            var slot = Find(oldKeys[old]);
            _keys[slot] = oldKeys[old];
            _counts[slot] = oldCounts[old];
            _first[slot] = oldFirst[old];
            _used[_size++] = slot;
        }
    }
}
