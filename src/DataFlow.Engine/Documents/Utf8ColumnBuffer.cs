using Encoding = System.Text.Encoding;
using ParquetSharp;

namespace DataFlow.Engine.Documents;

/// <summary>
/// One row group's values of a required string column, packed as UTF-8 in one growable array, so the
/// Parquet writer reads them in place (one pinned block) instead of one string at a time. Past its first 64 KB
/// the block is the row group bound (or the largest single value), allocated once and not zeroed.
/// </summary>
internal sealed class Utf8ColumnBuffer(long capacityBound)
{
    private byte[] _bytes = new byte[1 << 16];
    private int[] _ends = new int[1024];
    private ByteArray[] _values = [];

    public int Count { get; private set; }
    public long Bytes => Count == 0 ? 0 : _ends[Count - 1];

    public void Add(ReadOnlySpan<byte> utf8)
    {
        var start = Reserve(utf8.Length);
        utf8.CopyTo(_bytes.AsSpan(start));
        Append(start + utf8.Length);
    }

    public void Add(string value)
    {
        var start = Reserve(Encoding.UTF8.GetByteCount(value));
        Append(start + Encoding.UTF8.GetBytes(value, _bytes.AsSpan(start)));
    }

    /// <summary>
    /// Hands the values over in batches of about one page: the writer checks the page size only between
    /// batches, so one batch of large documents would otherwise become one huge page held in native memory.
    /// </summary>
    public unsafe void WriteTo(ColumnWriter column, long pageBytes)
    {
        var writer = (ColumnWriter<ByteArray>)column;
        if (_values.Length < Count) _values = new ByteArray[_ends.Length];
        fixed (byte* data = _bytes)
        {
            var batchStart = 0;
            var batchFirst = 0;
            var start = 0;
            for (var i = 0; i < Count; i++)
            {
                _values[i] = new ByteArray((IntPtr)(data + start), _ends[i] - start);
                start = _ends[i];
                if (start - batchStart < pageBytes && i < Count - 1) continue;
                writer.WriteBatch(_values.AsSpan(batchFirst, i + 1 - batchFirst));
                batchFirst = i + 1;
                batchStart = start;
            }
        }
    }

    public void Clear() => Count = 0;

    private int Reserve(int length)
    {
        var start = (int)Bytes;
        var needed = (long)start + length;
        if (needed > Array.MaxLength) throw new InvalidOperationException("a row group column exceeds 2 GB; lower the row group bound");
        if (needed > _bytes.Length)
        {
            // Straight to the bound, not zeroed: memory is touched only where a value is written, and each page once
            // (doubling 64 KB -> 16 MB wrote 32 MB of arrays that a short task paid for in page faults).
            var grown = GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, Math.Max(needed, capacityBound)));
            _bytes.AsSpan(0, start).CopyTo(grown);
            _bytes = grown;
        }
        if (Count == _ends.Length) Array.Resize(ref _ends, 2 * _ends.Length);
        return start;
    }

    private void Append(int end) => _ends[Count++] = end;
}
