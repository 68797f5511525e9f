using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Sentence dedup stage 2 (reduce side). Task j k-way merges hash range j of every sentence-signatures task; in each
/// run of equal span hashes the first record (earliest document, then earliest sentence: the first occurrence in
/// input order, as datatrove keeps it) stays and every other occurrence, in other documents or later in the same
/// one, becomes a cut for the filter task that owns its document. Memory: one read buffer per sorted run and the
/// cut buffer (spilled as sorted runs).
/// </summary>
public sealed class SentenceFinderJob(DedupOptions options, DedupLayout layout) : IStageJob
{
    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var signatures = context.ManifestOf(layout.SentenceSignatures);
        var tasks = signatures.Tasks.Count;
        return Enumerable.Range(0, options.BucketsPerBand).Select(p => new TaskPlan(p,
            signatures.Tasks.Select(t => t.Outputs[p]).ToList(),
            Enumerable.Range(0, tasks).Select(t => DedupLayout.CutFile(context.OutputDir, p, t)).ToList())).ToList();
    }

    public void Run(TaskContext context)
    {
        var outputs = context.Plan.Outputs;
        using var cuts = new PartitionedRunWriter<SpanRemovalRecord>(outputs.Select(context.CreateOutput).ToList(),
            SpanRemovalRecord.Kind, options.MaxBufferedRecords);
        var files = context.Inputs.Select(i => RecordFileFormat.ReadInfo(i, RecordFileWriter<SentenceSpanRecord>.RecordSize, SentenceSpanRecord.Kind)).ToList();
        using var merge = new SortedRunMerger<SentenceSpanRecord>(files);
        long records = 0, distinct = 0, repeated = 0, cutCount = 0, largest = 0, size = 0;
        SentenceSpanRecord first = default;
        while (merge.TryNext(out var r))
        {
            records++;
            if (size > 0 && r.Hash == first.Hash)
            {
                var task = DocRef.Task(r.Doc);
                if (task >= outputs.Count) throw new InvalidDataException($"hash range {context.Index}: span of document {DocRef.Format(r.Doc)} names a task that does not exist ({outputs.Count} tasks)");
                cuts.Add(task, new SpanRemovalRecord(DocRef.Ordinal(r.Doc), r.Sentence, first.Doc));
                cutCount++;
                if (++size == 2) repeated++;
                largest = Math.Max(largest, size);
                continue;
            }
            first = r;
            size = 1;
            distinct++;
        }
        cuts.Complete();
        var stats = context.Stats;
        stats.Add("span_records", records);
        stats.Add("distinct_spans", distinct);
        stats.Add("repeated_spans", repeated);
        stats.Add("span_cuts", cutCount);
        if (largest > 1) stats.AddExample("most_repeated_span", $"hash range {context.Index}: {largest} occurrences");
    }
}
