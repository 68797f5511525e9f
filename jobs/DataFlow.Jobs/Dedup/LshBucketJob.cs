using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Dedup stage 2 (reduce side). Task j k-way merges partition j of every signatures task from disk and, for
/// each run of equal hashes (an LSH bucket, or a group of identical normalized texts), emits the pairs
/// (first member, other member). URL partitions are exact partitions whose hash is the normalized URL's. With
/// <c>against</c>, it also merges partition j of every part of those indexes beside them: a bucket that an indexed
/// document shares pairs each new member with the first indexed document instead (as one run over old and new input
/// would, the old coming first); buckets of indexed documents alone emit nothing. Memory: one read buffer per sorted
/// run, independent of data size.
/// </summary>
public sealed class LshBucketJob(DedupOptions options, DedupLayout layout) : IStageJob
{
    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var signatures = context.ManifestOf(layout.Signatures);
        var partitions = options.AllPartitions;
        return Enumerable.Range(0, partitions).Select(p => new TaskPlan(p,
            [.. signatures.Tasks.Select(t => t.Outputs[p]), .. IndexInputs(p).Select(i => i.Path)],
            [DedupLayout.PairsFile(context.OutputDir, p)])).ToList();
    }

    /// <summary>Partition <paramref name="partition"/> of every part of every index, in order: file, index folder number, part.</summary>
    private IEnumerable<(string Path, int Folder, int Part)> IndexInputs(int partition) =>
        options.Against.SelectMany((index, f) => Enumerable.Range(0, index.Parts.Count).Select(k => (index.PartitionFile(k, partition), f, k)));

    public void Run(TaskContext context)
    {
        var exact = context.Index >= options.NearPartitions;
        var old = IndexInputs(context.Index).ToList();
        var inputs = context.Inputs.Take(context.Inputs.Count - old.Count).ToList();
        var output = context.CreateOutput(context.Plan.Outputs[0]);
        using var pairs = new RecordFileWriter<PairRecord>(output, exact ? PairRecord.ExactKind : PairRecord.NearKind);
        var stats = context.Stats;
        var (pairCount, indexed, buckets, largest) = exact
            ? EmitStarPairs<ExactRecord>(inputs, old, ExactRecord.Kind, (a, b) => a.HashHigh != b.HashHigh ? a.HashHigh.CompareTo(b.HashHigh) : a.HashLow.CompareTo(b.HashLow), r => r.Doc, pairs)
            : EmitStarPairs<BandRecord>(inputs, old, BandRecord.Kind, (a, b) => a.Hash.CompareTo(b.Hash), r => r.Doc, pairs);
        stats.Add(exact ? "exact_pairs" : "candidate_pairs", pairCount);
        if (old.Count > 0) stats.Add(exact ? "exact_pairs_indexed" : "candidate_pairs_indexed", indexed);
        pairs.Complete();
        stats.Add(exact ? "exact_groups" : "buckets_with_pairs", buckets);
        stats.AddExample(exact ? "largest_exact_group" : "largest_bucket", $"partition {context.Index}: {largest} documents");
    }

    /// <summary>
    /// Merges the sorted runs and, per run of records in the same bucket, appends (first, other) pairs, where first is
    /// the bucket's first indexed document when it has one. Returns all pairs, the pairs with an indexed document,
    /// buckets with a pair, and the largest bucket (new documents plus the indexed one they pair with).
    /// </summary>
    private static (long Pairs, long Indexed, long Buckets, long Largest) EmitStarPairs<T>(IReadOnlyList<string> inputs,
        IReadOnlyList<(string Path, int Folder, int Part)> old, string kind, Func<T, T, int> compareHash, Func<T, ulong> doc,
        RecordFileWriter<PairRecord> pairs) where T : unmanaged, IComparable<T>
    {
        var files = inputs.Select(i => RecordFileFormat.ReadInfo(i, RecordFileWriter<T>.RecordSize, kind)).ToList();
        using var merge = new SortedRunMerger<T>(files);
        var indexed = old.GroupBy(o => o.Folder).Select(g => new IndexedRecordStream<T>(
            Path.GetDirectoryName(g.First().Path)!, g.Key, g.OrderBy(o => o.Part).Select(o => o.Path).ToList(), kind, compareHash, doc)).ToList();
        try
        {
            return EmitStarPairs(merge, indexed, compareHash, doc, pairs);
        }
        finally
        {
            foreach (var stream in indexed) stream.Dispose();
        }
    }

    private static (long Pairs, long Indexed, long Buckets, long Largest) EmitStarPairs<T>(SortedRunMerger<T> merge,
        IReadOnlyList<IndexedRecordStream<T>> indexed, Func<T, T, int> compareHash, Func<T, ulong> doc, RecordFileWriter<PairRecord> pairs)
        where T : unmanaged, IComparable<T>
    {
        long pairCount = 0, indexedPairs = 0, buckets = 0, largest = 0, size = 0;
        T first = default;
        ulong anchor = 0;
        while (merge.TryNext(out var r))
        {
            if (size > 0 && compareHash(r, first) == 0)
            {
                pairs.Append(new PairRecord(anchor, doc(r)));
                pairCount++;
                if (DocRef.IsIndexed(anchor)) indexedPairs++;
                largest = Math.Max(largest, ++size);
                continue;
            }
            if (size > 1) buckets++;
            first = r;
            size = 1;
            anchor = doc(r);
            // Every index stream moves past this hash; the earliest folder that has it gives the anchor.
            ulong? oldDoc = null;
            foreach (var stream in indexed)
                if (stream.FirstWithHashOf(r) is { } d) oldDoc ??= d;
            if (oldDoc is null) continue;
            anchor = oldDoc.Value;
            pairs.Append(new PairRecord(anchor, doc(r)));
            pairCount++;
            indexedPairs++;
            largest = Math.Max(largest, ++size);
        }
        if (size > 1) buckets++;
        return (pairCount, indexedPairs, buckets, largest);
    }
}
