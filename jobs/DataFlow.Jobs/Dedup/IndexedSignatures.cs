using DataFlow.Engine.Records;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Loads the full signatures of the indexed documents that are in candidate pairs from the indexes' signature files.
/// A signature file holds one record per document in ordinal order (DocRef words, then num_perm values), written in
/// runs of <see cref="MinHashSignatureJob.SignatureRunDocuments"/> documents, each with its own checksum: only the runs
/// that hold a wanted document are read (and verified), so the cost follows the matches, not the index size.
/// </summary>
internal static class IndexedSignatures
{
    public static void Load(IReadOnlyList<DedupIndex> against, DuplicateGraph graph, SignatureStore store, ChunkedList<bool> found)
    {
        var wanted = new List<(ulong Doc, long Node)>();
        for (long node = 0; node < graph.Count; node++)
            if (DocRef.IsIndexed(graph.DocOf(node))) wanted.Add((graph.DocOf(node), node));
        wanted.Sort();
        var recordWords = store.NumPerm + 2;
        var words = new uint[recordWords];
        foreach (var group in wanted.GroupBy(w => (DocRef.IndexFolder(w.Doc), DocRef.IndexPart(w.Doc))))
        {
            var (folder, part) = group.Key;
            var path = against[folder].SignatureFile(part);
            var info = RecordFileFormat.ReadInfo(path, sizeof(uint), DedupLayout.SignatureKind);
            // First document of each run; a run must hold whole signatures.
            var starts = new long[info.Runs.Count + 1];
            for (var r = 0; r < info.Runs.Count; r++)
            {
                if (info.Runs[r].Count % recordWords != 0)
                    throw new InvalidDataException($"{path}: corrupt dedup index: run {r} is not a whole number of {store.NumPerm}-value signatures");
                starts[r + 1] = starts[r] + info.Runs[r].Count / recordWords;
            }
            var members = group.ToList();
            var next = 0;
            while (next < members.Count)
            {
                var ordinal = DocRef.Ordinal(members[next].Doc);
                var run = Array.BinarySearch(starts, ordinal);
                run = run >= 0 ? run : ~run - 1;
                if (run < 0 || run >= info.Runs.Count)
                    throw new InvalidDataException($"{path}: corrupt dedup index: no signature for document {ordinal} of part {part} (the file holds {starts[^1]})");
                using var reader = new RecordRunReader<uint>(info, run, 1 << 16);
                // Read the whole run so its checksum is verified, keeping the wanted signatures.
                for (var doc = starts[run]; doc < starts[run + 1]; doc++)
                {
                    for (var i = 0; i < recordWords; i++)
                    {
                        reader.MoveNext();
                        words[i] = reader.Current;
                    }
                    if (next >= members.Count || DocRef.Ordinal(members[next].Doc) != doc) continue;
                    var stored = words[0] | ((ulong)words[1] << 32);
                    if (stored != DocRef.Make(part, doc))
                        throw new InvalidDataException($"{path}: corrupt dedup index: signature {doc} belongs to document {DocRef.Format(stored)}");
                    words.AsSpan(2).CopyTo(store[members[next].Node]);
                    found[members[next].Node] = true;
                    next++;
                }
            }
        }
    }
}
