using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Dedup stage 2 (reduce side). Task j k-way merges partition j of every signatures task from disk and, for
/// each run of equal hashes (an LSH bucket, or a group of identical normalized texts), emits the pairs
/// (first member, other member). URL partitions are exact partitions whose hash is the normalized URL's. Memory: one read buffer per sorted run, independent of data size.
/// </summary>
public sealed class LshBucketJob(DedupOptions options, DedupLayout layout) : IStageJob
{
    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var signatures = context.ManifestOf(layout.Signatures);
        var partitions = options.AllPartitions;
        return Enumerable.Range(0, partitions).Select(p => new TaskPlan(p,
            signatures.Tasks.Select(t => t.Outputs[p]).ToList(),
            [DedupLayout.PairsFile(context.OutputDir, p)])).ToList();
    }

    public void Run(TaskContext context)
    {
        var exact = context.Index >= options.NearPartitions;
        var output = context.CreateOutput(context.Plan.Outputs[0]);
        using var pairs = new RecordFileWriter<PairRecord>(output, exact ? PairRecord.ExactKind : PairRecord.NearKind);
        var stats = context.Stats;
        var (pairCount, buckets, largest) = exact
            ? EmitStarPairs<ExactRecord>(context.Inputs, ExactRecord.Kind, (a, b) => a.SameHash(b), r => r.Doc, pairs)
            : EmitStarPairs<BandRecord>(context.Inputs, BandRecord.Kind, (a, b) => a.Hash == b.Hash, r => r.Doc, pairs);
        stats.Add(exact ? "exact_pairs" : "candidate_pairs", pairCount);
        pairs.Complete();
        stats.Add(exact ? "exact_groups" : "buckets_with_pairs", buckets);
        stats.AddExample(exact ? "largest_exact_group" : "largest_bucket", $"partition {context.Index}: {largest} documents");
    }

    /// <summary>Merges the sorted runs and, per run of records in the same bucket, appends (first, other) pairs.</summary>
    private static (long Pairs, long Buckets, long Largest) EmitStarPairs<T>(IReadOnlyList<string> inputs, string kind,
        Func<T, T, bool> sameBucket, Func<T, ulong> doc, RecordFileWriter<PairRecord> pairs) where T : unmanaged, IComparable<T>
    {
        var files = inputs.Select(i => RecordFileFormat.ReadInfo(i, RecordFileWriter<T>.RecordSize, kind)).ToList();
        using var merge = new SortedRunMerger<T>(files);
        long pairCount = 0, buckets = 0, largest = 0, size = 0;
        T first = default;
        while (merge.TryNext(out var r))
        {
            if (size > 0 && sameBucket(r, first))
            {
                pairs.Append(new PairRecord(doc(first), doc(r)));
                pairCount++;
                largest = Math.Max(largest, ++size);
                continue;
            }
            if (size > 1) buckets++;
            first = r;
            size = 1;
        }
        if (size > 1) buckets++;
        return (pairCount, buckets, largest);
    }
}
