namespace DataFlow.Jobs.Dedup;

/// <summary>
/// A list indexed by 64-bit positions, stored in chunks of 2^20 elements that are allocated when first touched: no
/// 2^31-element array limit, no copy when it grows, and a length set ahead costs nothing until it is used.
/// </summary>
public sealed class ChunkedList<T>
{
    private const int ChunkBits = 20;
    private const int ChunkSize = 1 << ChunkBits;
    private const int ChunkMask = ChunkSize - 1;
    private readonly List<T[]?> _chunks = [];

    /// <summary>An empty list.</summary>
    public ChunkedList() { }

    /// <summary>A list of <paramref name="count"/> default elements (chunks allocated on first access).</summary>
    public ChunkedList(long count) => SetCount(count);

    public long Count { get; private set; }

    /// <summary>Chunks allocated so far (each holds 2^20 elements).</summary>
    public int AllocatedChunks => _chunks.Count(c => c is not null);

    public ref T this[long index]
    {
        get
        {
            if ((ulong)index >= (ulong)Count) throw new ArgumentOutOfRangeException(nameof(index), $"{index} is not below {Count}");
            var chunk = (int)(index >> ChunkBits);
            var array = _chunks[chunk] ??= new T[ChunkSize];
            return ref array[index & ChunkMask];
        }
    }

    /// <summary>The <paramref name="length"/> elements from <paramref name="start"/>, which must lie in one chunk (callers keep records chunk-aligned).</summary>
    public Span<T> Slice(long start, int length)
    {
        if (length == 0) return [];
        if ((start & ChunkMask) + length > ChunkSize) throw new ArgumentException($"[{start}, {start + length}) crosses a chunk boundary");
        return System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref this[start], length);
    }

    public void Add(T item)
    {
        SetCount(Count + 1);
        this[Count - 1] = item;
    }

    private void SetCount(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var chunks = (int)((count + ChunkMask) >> ChunkBits);
        while (_chunks.Count < chunks) _chunks.Add(null);
        Count = count;
    }

    public void Fill(T value)
    {
        for (var c = 0; c < _chunks.Count; c++)
        {
            var array = _chunks[c] ??= new T[ChunkSize];
            Array.Fill(array, value);
        }
    }
}
