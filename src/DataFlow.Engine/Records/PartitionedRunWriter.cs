namespace DataFlow.Engine.Records;

/// <summary>
/// The map side of a shuffle: records go to one of N partition files; each partition is buffered, sorted and
/// written as a run whenever the buffers together reach <c>maxBufferedRecords</c>, so memory stays bounded
/// however much a task reads, and each file is a set of sorted runs ready for <see cref="SortedRunMerger{T}"/>.
/// </summary>
public sealed class PartitionedRunWriter<T> : IDisposable where T : unmanaged, IComparable<T>
{
    private readonly RecordFileWriter<T>[] _writers;
    private readonly List<T>[] _buffers;
    private readonly long _maxBuffered;
    private long _buffered;

    public PartitionedRunWriter(IReadOnlyList<string> paths, string kind, long maxBufferedRecords)
    {
        if (maxBufferedRecords < 1) throw new ArgumentOutOfRangeException(nameof(maxBufferedRecords));
        _maxBuffered = maxBufferedRecords;
        _writers = new RecordFileWriter<T>[paths.Count];
        _buffers = new List<T>[paths.Count];
        try
        {
            for (var i = 0; i < paths.Count; i++)
            {
                _writers[i] = new RecordFileWriter<T>(paths[i], kind);
                _buffers[i] = [];
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Partitions => _writers.Length;

    /// <summary>How many times the buffers were flushed to disk as runs (1 when everything fit).</summary>
    public int Spills { get; private set; }

    public void Add(int partition, in T record)
    {
        _buffers[partition].Add(record);
        if (++_buffered >= _maxBuffered) Spill();
    }

    public void Complete()
    {
        Spill();
        foreach (var writer in _writers) writer.Complete();
    }

    private void Spill()
    {
        if (_buffered == 0) return;
        for (var i = 0; i < _writers.Length; i++)
        {
            var buffer = _buffers[i];
            if (buffer.Count == 0) continue;
            buffer.Sort();
            _writers[i].Append(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(buffer));
            _writers[i].EndRun();
            buffer.Clear();
        }
        _buffered = 0;
        Spills++;
    }

    public void Dispose()
    {
        foreach (var writer in _writers) writer?.Dispose();
    }
}
