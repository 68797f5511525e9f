using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DataFlow.Engine.Records;

/// <summary>
/// Streams the records of one run through a small buffer and checks the run's XxHash64 when it reaches the end,
/// so a flipped byte fails the task (naming the file) before it completes, never silently.
/// </summary>
public sealed class RecordRunReader<T> : IDisposable where T : unmanaged
{
    private readonly FileStream _stream;
    private readonly RecordFileInfo _file;
    private readonly int _runIndex;
    private readonly XxHash64 _hash = new();
    private readonly T[] _buffer;
    private long _remaining;
    private int _position;
    private int _filled;

    public RecordRunReader(RecordFileInfo file, int runIndex, int bufferRecords = 4096)
    {
        if (file.RecordSize != Unsafe.SizeOf<T>()) throw new ArgumentException($"{file.Path}: records are {file.RecordSize} bytes, {typeof(T).Name} is {Unsafe.SizeOf<T>()}");
        _file = file;
        _runIndex = runIndex;
        var run = file.Runs[runIndex];
        _remaining = run.Count;
        _buffer = new T[(int)Math.Max(1, Math.Min(bufferRecords, run.Count))];
        _stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        _stream.Position = run.Offset;
    }

    /// <summary>The record <see cref="MoveNext"/> last produced.</summary>
    public T Current { get; private set; }

    public bool MoveNext()
    {
        if (_position == _filled && !Fill()) return false;
        Current = _buffer[_position++];
        return true;
    }

    private bool Fill()
    {
        if (_remaining == 0) return false;
        var count = (int)Math.Min(_buffer.Length, _remaining);
        var bytes = MemoryMarshal.AsBytes(_buffer.AsSpan(0, count));
        try
        {
            _stream.ReadExactly(bytes);
        }
        catch (EndOfStreamException)
        {
            throw RecordFileFormat.Corrupt(_file.Path, $"run {_runIndex} ends early (truncated)");
        }
        _hash.Append(bytes);
        _remaining -= count;
        _position = 0;
        _filled = count;
        if (_remaining == 0 && _hash.GetCurrentHashAsUInt64() != _file.Runs[_runIndex].Checksum)
            throw RecordFileFormat.Corrupt(_file.Path, $"run {_runIndex} checksum mismatch (bytes changed after writing)");
        return true;
    }

    public void Dispose() => _stream.Dispose();
}
