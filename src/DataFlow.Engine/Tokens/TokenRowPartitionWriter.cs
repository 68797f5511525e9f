using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace DataFlow.Engine.Tokens;

/// <summary>
/// Writes one partition of the token-row exchange between shuffle stages: fixed-width binary rows of int32 tokens,
/// little-endian, checksummed. Layout: 8-byte magic "DFTROWS1", int32 row length, int32 zero, the rows,
/// then int64 row count and the XxHash64 of everything before it. Read with <see cref="TokenRowPartitionReader"/>.
/// </summary>
public sealed class TokenRowPartitionWriter : IDisposable
{
    internal static ReadOnlySpan<byte> Magic => "DFTROWS1"u8;
    internal const int HeaderBytes = 16;
    internal const int FooterBytes = 16;

    private readonly FileStream _stream;
    private readonly XxHash64 _hash = new();
    private bool _closed;

    public TokenRowPartitionWriter(string path, int rowLength)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("token row partitions are written little-endian");
        ArgumentOutOfRangeException.ThrowIfLessThan(rowLength, 1);
        RowLength = rowLength;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Span<byte> header = stackalloc byte[HeaderBytes];
        Magic.CopyTo(header);
        BitConverter.TryWriteBytes(header[8..], rowLength);
        BitConverter.TryWriteBytes(header[12..], 0);
        Write(header);
    }

    public int RowLength { get; }
    public long Rows { get; private set; }

    public void WriteRow(ReadOnlySpan<int> row)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (row.Length != RowLength) throw new ArgumentException($"row has {row.Length} tokens, partition rows have {RowLength}", nameof(row));
        Write(MemoryMarshal.AsBytes(row));
        Rows++;
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        _hash.Append(bytes);
        _stream.Write(bytes);
    }

    public void Dispose()
    {
        if (_closed) return;
        _closed = true;
        try
        {
            Span<byte> footer = stackalloc byte[FooterBytes];
            BitConverter.TryWriteBytes(footer, Rows);
            _hash.Append(footer[..8]);
            BitConverter.TryWriteBytes(footer[8..], _hash.GetCurrentHashAsUInt64());
            _stream.Write(footer);
        }
        finally
        {
            _stream.Dispose();
        }
    }
}
