using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DataFlow.Engine.Records;

/// <summary>
/// Writes a <see cref="RecordFileFormat"/> file of <typeparamref name="T"/> records (blittable structs, stored in
/// machine byte order: the files are exchanged between stages of one run, not archived). Call
/// <see cref="EndRun"/> between sorted runs and <see cref="Complete"/> once; a writer disposed without
/// Complete leaves a file with no end marker, which every reader rejects.
/// </summary>
public sealed class RecordFileWriter<T> : IDisposable where T : unmanaged
{
    private readonly FileStream _stream;
    private readonly byte[] _header;
    private readonly List<RecordRun> _runs = [];
    private readonly XxHash64 _runHash = new();
    private long _runStart = RecordFileFormat.HeaderSize;
    private long _runCount;
    private bool _completed;

    public RecordFileWriter(string path, string kind)
    {
        Path = path;
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _header = RecordFileFormat.Header(RecordSize, kind);
        _stream.Write(_header);
    }

    public static int RecordSize => Unsafe.SizeOf<T>();

    public string Path { get; }

    public long Count { get; private set; }

    public void Append(in T record) => Append(new ReadOnlySpan<T>(in record));

    public void Append(ReadOnlySpan<T> records)
    {
        var bytes = MemoryMarshal.AsBytes(records);
        _runHash.Append(bytes);
        _stream.Write(bytes);
        _runCount += records.Length;
        Count += records.Length;
    }

    /// <summary>Closes the current run (no-op when it is empty); records appended next start a new run.</summary>
    public void EndRun()
    {
        if (_runCount == 0) return;
        _runs.Add(new RecordRun(_runStart, _runCount, _runHash.GetCurrentHashAsUInt64()));
        _runStart += _runCount * RecordSize;
        _runCount = 0;
        _runHash.Reset();
    }

    public void Complete()
    {
        EndRun();
        _stream.Write(RecordFileFormat.Footer(_header, _runs, RecordSize));
        _stream.Flush();
        _completed = true;
        _stream.Dispose();
    }

    public void Dispose()
    {
        if (!_completed) _stream.Dispose();
    }
}
