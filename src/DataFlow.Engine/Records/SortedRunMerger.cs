namespace DataFlow.Engine.Records;

/// <summary>
/// K-way merge of sorted runs from many record files: memory is one small buffer per run, whatever the data size.
/// Equal records come out in the order of their sources, so the merge is deterministic.
/// </summary>
public sealed class SortedRunMerger<T> : IDisposable where T : unmanaged, IComparable<T>
{
    private readonly List<RecordRunReader<T>> _readers = [];
    private readonly PriorityQueue<int, (T Record, int Source)> _heap;

    /// <summary>Merges every run of every file in <paramref name="files"/> (already verified by <see cref="RecordFileFormat.ReadInfo"/>).</summary>
    public SortedRunMerger(IEnumerable<RecordFileInfo> files, int bufferRecords = 4096)
    {
        _heap = new PriorityQueue<int, (T, int)>(Comparer<(T Record, int Source)>.Create(static (x, y) =>
        {
            var c = x.Record.CompareTo(y.Record);
            return c != 0 ? c : x.Source.CompareTo(y.Source);
        }));
        try
        {
            foreach (var file in files)
                for (var r = 0; r < file.Runs.Count; r++)
                    if (file.Runs[r].Count > 0) _readers.Add(new RecordRunReader<T>(file, r, bufferRecords));
        }
        catch
        {
            Dispose();
            throw;
        }
        for (var i = 0; i < _readers.Count; i++)
            if (_readers[i].MoveNext()) _heap.Enqueue(i, (_readers[i].Current, i));
    }

    /// <summary>Number of runs being merged (the k of the k-way merge).</summary>
    public int Sources => _readers.Count;

    public bool TryNext(out T record)
    {
        if (!_heap.TryDequeue(out var source, out var top))
        {
            record = default;
            return false;
        }
        record = top.Record;
        var reader = _readers[source];
        if (reader.MoveNext()) _heap.Enqueue(source, (reader.Current, source));
        return true;
    }

    public void Dispose()
    {
        foreach (var reader in _readers) reader.Dispose();
    }
}
