using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace DataFlow.Engine.Tokens;

/// <summary>Reads partitions written by <see cref="TokenRowPartitionWriter"/>, verifying layout and checksum.</summary>
public static class TokenRowPartitionReader
{
    /// <summary>Rows in a partition file, from its length (the footer is checked when the rows are read).</summary>
    public static long RowsIn(string path, int rowLength)
    {
        var payload = new FileInfo(path).Length - TokenRowPartitionWriter.HeaderBytes - TokenRowPartitionWriter.FooterBytes;
        var rowBytes = (long)rowLength * sizeof(int);
        if (payload < 0 || payload % rowBytes != 0)
            throw new InvalidDataException($"{path}: {payload + 32} bytes is not a partition of {rowLength}-token rows");
        return payload / rowBytes;
    }

    /// <summary>Reads every row of <paramref name="path"/> into <paramref name="destination"/> (which must hold exactly them) and verifies the checksum.</summary>
    public static long ReadInto(string path, int rowLength, Span<int> destination)
    {
        var rows = RowsIn(path, rowLength);
        if (destination.Length != rows * rowLength)
            throw new ArgumentException($"{path}: destination holds {destination.Length} tokens, the file {rows * rowLength}", nameof(destination));
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var hash = new XxHash64();
        Span<byte> header = stackalloc byte[TokenRowPartitionWriter.HeaderBytes];
        stream.ReadExactly(header);
        if (!header[..8].SequenceEqual(TokenRowPartitionWriter.Magic))
            throw new InvalidDataException($"{path}: not a token row partition (bad magic)");
        if (BitConverter.ToInt32(header[8..]) != rowLength)
            throw new InvalidDataException($"{path}: rows of {BitConverter.ToInt32(header[8..])} tokens, expected {rowLength}");
        hash.Append(header);
        var bytes = MemoryMarshal.AsBytes(destination);
        stream.ReadExactly(bytes);
        hash.Append(bytes);
        Span<byte> footer = stackalloc byte[TokenRowPartitionWriter.FooterBytes];
        stream.ReadExactly(footer);
        hash.Append(footer[..8]);
        if (BitConverter.ToInt64(footer) != rows || BitConverter.ToUInt64(footer[8..]) != hash.GetCurrentHashAsUInt64())
            throw new InvalidDataException($"{path}: checksum mismatch (truncated or corrupt partition)");
        return rows;
    }
}
