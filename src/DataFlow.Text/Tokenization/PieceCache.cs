using System.Runtime.CompilerServices;

namespace DataFlow.Text.Tokenization;

/// <summary>
/// Pre-tokenizer pieces already encoded, to their ids: open addressing over flat arrays (keys in one char arena, ids in one
/// int arena), so a lookup hashes the piece's characters once and allocates nothing. Bounded: when full it starts over,
/// which only costs re-encoding (the ids of a piece never depend on the cache).
/// </summary>
internal sealed class PieceCache
{
    private const int MaxEntries = 1 << 18;
    private const int MaxKeyChars = MaxEntries * 16;
    private const int MaxValues = MaxEntries * 8;

    // Starts small and doubles, so a tokenizer that encodes a few prompts holds kilobytes, not megabytes.
    private int[] _slots = new int[1 << 10]; // entry index + 1; 0 is empty; load factor at most 1/2
    private int[] _hashes = new int[1 << 9];
    private int[] _keyStarts = new int[(1 << 9) + 1];
    private int[] _valueStarts = new int[(1 << 9) + 1];
    private char[] _keys = new char[1 << 16];
    private int[] _values = new int[1 << 15];
    private int _count;

    public int Count => _count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Hash(ReadOnlySpan<char> key)
    {
        var h = (uint)key.Length * 0x9E3779B1u;
        foreach (var c in key) h = (h ^ c) * 0x01000193u;
        return (int)(h ^ (h >> 15));
    }

    public bool TryGet(ReadOnlySpan<char> key, int hash, out ReadOnlySpan<int> ids)
    {
        var mask = _slots.Length - 1;
        for (var slot = hash & mask; ; slot = (slot + 1) & mask)
        {
            var entry = _slots[slot] - 1;
            if (entry < 0) break;
            if (_hashes[entry] == hash && _keys.AsSpan(_keyStarts[entry], _keyStarts[entry + 1] - _keyStarts[entry]).SequenceEqual(key))
            {
                ids = _values.AsSpan(_valueStarts[entry], _valueStarts[entry + 1] - _valueStarts[entry]);
                return true;
            }
        }
        ids = default;
        return false;
    }

    /// <summary>Adds a piece that <see cref="TryGet"/> did not find.</summary>
    public void Add(ReadOnlySpan<char> key, int hash, ReadOnlySpan<int> ids)
    {
        if (key.Length > MaxKeyChars / 64 || ids.Length > MaxValues / 64) return; // a rare long piece is not worth the space
        var keyEnd = _keyStarts[_count] + key.Length;
        var valueEnd = _valueStarts[_count] + ids.Length;
        if (_count == MaxEntries || keyEnd > MaxKeyChars || valueEnd > MaxValues)
        {
            Array.Clear(_slots);
            _count = 0;
            keyEnd = key.Length;
            valueEnd = ids.Length;
        }
        if (_count == _hashes.Length) Grow();
        if (keyEnd > _keys.Length) Array.Resize(ref _keys, Math.Max(keyEnd, 2 * _keys.Length));
        if (valueEnd > _values.Length) Array.Resize(ref _values, Math.Max(valueEnd, 2 * _values.Length));
        key.CopyTo(_keys.AsSpan(_keyStarts[_count]));
        ids.CopyTo(_values.AsSpan(_valueStarts[_count]));
        _hashes[_count] = hash;
        _keyStarts[_count + 1] = keyEnd;
        _valueStarts[_count + 1] = valueEnd;
        Place(_count, hash);
        _count++;
    }

    private void Place(int entry, int hash)
    {
        var mask = _slots.Length - 1;
        var slot = hash & mask;
        while (_slots[slot] != 0) slot = (slot + 1) & mask;
        _slots[slot] = entry + 1;
    }

    private void Grow()
    {
        var entries = 2 * _hashes.Length;
        Array.Resize(ref _hashes, entries);
        Array.Resize(ref _keyStarts, entries + 1);
        Array.Resize(ref _valueStarts, entries + 1);
        _slots = new int[2 * entries];
        for (var entry = 0; entry < _count; entry++) Place(entry, _hashes[entry]);
    }
}
