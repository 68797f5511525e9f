using DataFlow.Engine.Records;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// The records of one partition of one index a run is deduplicated against, merged in hash order and asked for
/// hashes in increasing order (a merge join with the new records): each question skips the records below the hash
/// and answers with the smallest DocRef among those with that hash (part, then ordinal: the order that index's run
/// gave them), made an indexed DocRef of folder <c>folder</c>. Each record is read once.
/// </summary>
public sealed class IndexedRecordStream<T> : IDisposable where T : unmanaged, IComparable<T>
{
    private readonly SortedRunMerger<T> _merge;
    private readonly string _folder;
    private readonly int _folderNumber;
    private readonly int _parts;
    private readonly Func<T, T, int> _compareHash;
    private readonly Func<T, ulong> _doc;
    private bool _has;
    private T _current;

    public IndexedRecordStream(string folder, int folderNumber, IReadOnlyList<string> files, string kind, Func<T, T, int> compareHash, Func<T, ulong> doc)
    {
        _folder = folder;
        _folderNumber = folderNumber;
        _parts = files.Count;
        _compareHash = compareHash;
        _doc = doc;
        _merge = new SortedRunMerger<T>(files.Select(f => RecordFileFormat.ReadInfo(f, RecordFileWriter<T>.RecordSize, kind)).ToList());
        _has = _merge.TryNext(out _current);
    }

    /// <summary>The first indexed document whose record has <paramref name="record"/>'s hash, or null; hashes must be asked in increasing order.</summary>
    public ulong? FirstWithHashOf(in T record)
    {
        while (_has && _compareHash(_current, record) < 0) _has = _merge.TryNext(out _current);
        ulong? first = null;
        while (_has && _compareHash(_current, record) == 0)
        {
            // Equal hashes come out in DocRef order, so the first is the smallest.
            first ??= Indexed(_doc(_current));
            _has = _merge.TryNext(out _current);
        }
        return first;
    }

    private ulong Indexed(ulong local)
    {
        if (DocRef.IsIndexed(local) || DocRef.Task(local) >= _parts)
            throw new InvalidDataException($"{_folder}: corrupt dedup index: a record names document {DocRef.Format(local)}, but the index has {_parts} parts");
        return DocRef.Indexed(_folderNumber, DocRef.Task(local), DocRef.Ordinal(local));
    }

    public void Dispose() => _merge.Dispose();
}
