using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace DataFlow.Engine.Records;

/// <summary>
/// Layout of a checksummed file of fixed-width records, written as one or more sorted runs:
/// <code>
/// header  32 B   "DFREC01\0", record size u32, reserved u32, kind (16 B ASCII, zero padded)
/// runs           records, run after run
/// table   16 B   per run: record count u64, XxHash64 of the run's bytes u64
/// tail    24 B   run count u32, record size u32, XxHash64 of header + table + run count + size, "DFRECEND"
/// </code>
/// The tail lets a reader find the run table without scanning; the length check catches truncation at open,
/// the per-run hash catches flipped bytes when the run has been read through.
/// </summary>
public static class RecordFileFormat
{
    public const int HeaderSize = 32;
    public const int RunEntrySize = 16;
    public const int TailSize = 24;
    public const int KindLength = 16;
    private static ReadOnlySpan<byte> HeaderMagic => "DFREC01\0"u8;
    private static ReadOnlySpan<byte> TailMagic => "DFRECEND"u8;

    internal static byte[] Header(int recordSize, string kind)
    {
        var header = new byte[HeaderSize];
        HeaderMagic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), recordSize);
        var kindBytes = Encoding.ASCII.GetBytes(kind);
        if (kindBytes.Length > KindLength) throw new ArgumentException($"record kind '{kind}' is longer than {KindLength} characters");
        kindBytes.CopyTo(header.AsSpan(16));
        return header;
    }

    internal static byte[] Footer(byte[] header, IReadOnlyList<RecordRun> runs, int recordSize)
    {
        var footer = new byte[runs.Count * RunEntrySize + TailSize];
        for (var i = 0; i < runs.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(footer.AsSpan(i * RunEntrySize), runs[i].Count);
            BinaryPrimitives.WriteUInt64LittleEndian(footer.AsSpan(i * RunEntrySize + 8), runs[i].Checksum);
        }
        var tail = footer.AsSpan(runs.Count * RunEntrySize);
        BinaryPrimitives.WriteInt32LittleEndian(tail, runs.Count);
        BinaryPrimitives.WriteInt32LittleEndian(tail[4..], recordSize);
        BinaryPrimitives.WriteUInt64LittleEndian(tail[8..], FooterHash(header, footer.AsSpan(0, runs.Count * RunEntrySize + 8)));
        TailMagic.CopyTo(tail[16..]);
        return footer;
    }

    private static ulong FooterHash(ReadOnlySpan<byte> header, ReadOnlySpan<byte> tableAndCounts)
    {
        var hash = new XxHash64();
        hash.Append(header);
        hash.Append(tableAndCounts);
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>Reads and checks a file's header and run table; throws <see cref="InvalidDataException"/> naming the file.</summary>
    public static RecordFileInfo ReadInfo(string path, int recordSize, string kind)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        var length = stream.Length;
        if (length < HeaderSize + TailSize) throw Corrupt(path, $"{length} bytes is shorter than an empty record file (truncated?)");
        var header = new byte[HeaderSize];
        stream.ReadExactly(header);
        if (!header.AsSpan(0, 8).SequenceEqual(HeaderMagic)) throw Corrupt(path, "not a DataFlow record file (bad header magic)");
        var tail = new byte[TailSize];
        stream.Position = length - TailSize;
        stream.ReadExactly(tail);
        if (!tail.AsSpan(16).SequenceEqual(TailMagic)) throw Corrupt(path, "no end marker (truncated or still being written)");
        var runCount = BinaryPrimitives.ReadInt32LittleEndian(tail);
        var storedSize = BinaryPrimitives.ReadInt32LittleEndian(tail.AsSpan(4));
        if (runCount < 0 || (long)runCount * RunEntrySize > length - HeaderSize - TailSize) throw Corrupt(path, $"impossible run count {runCount}");
        var table = new byte[runCount * RunEntrySize + 8];
        stream.Position = length - TailSize - runCount * RunEntrySize;
        stream.ReadExactly(table.AsSpan(0, runCount * RunEntrySize));
        tail.AsSpan(0, 8).CopyTo(table.AsSpan(runCount * RunEntrySize));
        if (FooterHash(header, table) != BinaryPrimitives.ReadUInt64LittleEndian(tail.AsSpan(8)))
            throw Corrupt(path, "header or run table checksum mismatch");
        var headerSize = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
        var headerKind = Encoding.ASCII.GetString(header, 16, KindLength).TrimEnd('\0');
        if (headerSize != recordSize || storedSize != recordSize)
            throw Corrupt(path, $"records are {headerSize} bytes, expected {recordSize}");
        if (headerKind != kind) throw Corrupt(path, $"holds '{headerKind}' records, expected '{kind}'");
        var runs = new List<RecordRun>(runCount);
        long offset = HeaderSize;
        for (var i = 0; i < runCount; i++)
        {
            var count = BinaryPrimitives.ReadInt64LittleEndian(table.AsSpan(i * RunEntrySize));
            var checksum = BinaryPrimitives.ReadUInt64LittleEndian(table.AsSpan(i * RunEntrySize + 8));
            if (count < 0) throw Corrupt(path, $"run {i} has a negative record count");
            runs.Add(new RecordRun(offset, count, checksum));
            offset += count * recordSize;
        }
        var expected = offset + runCount * RunEntrySize + TailSize;
        if (expected != length) throw Corrupt(path, $"length {length} does not match its run table ({expected} bytes expected; truncated?)");
        return new RecordFileInfo(path, recordSize, kind, runs);
    }

    internal static InvalidDataException Corrupt(string path, string problem) => new($"{path}: corrupt record file: {problem}");
}
