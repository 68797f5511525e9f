using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Dedup stage 2 (reduce side). Task j k-way merges partition j of every signatures task from disk and, for
/// each run of equal hashes (an LSH bucket, or a group of identical normalized texts), emits the pairs
/// (first member, other member). Memory: one read buffer per sorted run, independent of data size.
/// </summary>
public sealed class LshBucketJob(DedupOptions options, DedupLayout layout) : IStageJob
{
    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var signatures = context.ManifestOf(layout.Signatures);
        var partitions = options.NearPartitions + options.ExactPartitions;
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
        long buckets = 0, pairCount = 0, largest = 0;
        if (exact)
        {
            var files = context.Inputs.Select(i => RecordFileFormat.ReadInfo(i, RecordFileWriter<ExactRecord>.RecordSize, ExactRecord.Kind)).ToList();
            using var merge = new SortedRunMerger<ExactRecord>(files);
            ExactRecord first = default;
            long size = 0;
            while (merge.TryNext(out var r))
            {
                if (size > 0 && r.SameHash(first))
                {
                    pairs.Append(new PairRecord(first.Doc, r.Doc));
                    pairCount++;
                    largest = Math.Max(largest, ++size);
                    continue;
                }
                if (size > 1) buckets++;
                first = r;
                size = 1;
            }
            if (size > 1) buckets++;
            stats.Add("exact_pairs", pairCount);
        }
        else
        {
            var files = context.Inputs.Select(i => RecordFileFormat.ReadInfo(i, RecordFileWriter<BandRecord>.RecordSize, BandRecord.Kind)).ToList();
            using var merge = new SortedRunMerger<BandRecord>(files);
            BandRecord first = default;
            long size = 0;
            while (merge.TryNext(out var r))
            {
                if (size > 0 && r.Hash == first.Hash)
                {
                    pairs.Append(new PairRecord(first.Doc, r.Doc));
                    pairCount++;
                    largest = Math.Max(largest, ++size);
                    continue;
                }
                if (size > 1) buckets++;
                first = r;
                size = 1;
            }
            if (size > 1) buckets++;
            stats.Add("candidate_pairs", pairCount);
        }
        pairs.Complete();
        stats.Add(exact ? "exact_groups" : "buckets_with_pairs", buckets);
        stats.AddExample(exact ? "largest_exact_group" : "largest_bucket", $"partition {context.Index}: {largest} documents");
    }
}
