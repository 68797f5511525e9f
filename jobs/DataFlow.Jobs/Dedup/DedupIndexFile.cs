using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using DataFlow.Engine.Records;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// One record file of an index part: its name in the folder, its length, its record count and a checksum over its
/// run table (the XxHash64 of every run's own XxHash64). Checked when an index is opened; each run's bytes are then
/// checked against the run table as they are read, so any changed byte fails the task that reads it, naming the file.
/// </summary>
public sealed record DedupIndexFile(string Name, long Bytes, long Records, string Checksum)
{
    public static DedupIndexFile Of(string name, string path, RecordFileInfo info) =>
        new(name, new FileInfo(path).Length, info.RecordCount, Digest(info));

    /// <summary>The XxHash64 of the run counts and checksums, as 16 hex digits.</summary>
    public static string Digest(RecordFileInfo info)
    {
        var hash = new XxHash64();
        Span<byte> entry = stackalloc byte[16];
        foreach (var run in info.Runs)
        {
            BinaryPrimitives.WriteInt64LittleEndian(entry, run.Count);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], run.Checksum);
            hash.Append(entry);
        }
        return hash.GetCurrentHashAsUInt64().ToString("x16", CultureInfo.InvariantCulture);
    }
}
