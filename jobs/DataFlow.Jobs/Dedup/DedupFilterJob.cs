using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Dedup stage 4: task i re-reads exactly the documents signatures task i read, in the same order, and drops
/// those on its sorted removal list (streamed beside the documents, so memory stays flat). Each drop is checked
/// against the id hash recorded by the signatures stage: if the input changed in between, the task fails.
/// Kept documents go to part-0000i.parquet; with keep_removed, the others go to removed/ with reason,
/// cluster_id (the kept document's DocRef) and cluster_size.
/// </summary>
public sealed class DedupFilterJob(DedupOptions options, DedupLayout layout) : IStageJob
{
    public const string ExactReason = "duplicate_exact";
    public const string NearReason = "duplicate_near";
    public const string UrlReason = "duplicate_url";

    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var signatures = context.ManifestOf(layout.Signatures);
        var clusters = context.ManifestOf(layout.Clusters).Tasks[0];
        return signatures.Tasks.Select(t =>
        {
            var outputs = new List<string> { DocumentStageJob.MainShard(context.OutputDir, t.Index) };
            if (options.Documents.KeepRemoved) outputs.Add(Path.Combine(context.OutputDir, "removed", $"part-{t.Index:D5}.parquet"));
            return new TaskPlan(t.Index, [.. t.Inputs, clusters.Outputs[t.Index]], outputs);
        }).ToList();
    }

    public void Run(TaskContext context)
    {
        var documents = context.Inputs.Take(context.Inputs.Count - 1).ToList();
        var removalFile = context.Inputs[^1];
        var info = RecordFileFormat.ReadInfo(removalFile, RecordFileWriter<RemovalRecord>.RecordSize, RemovalRecord.Kind);
        if (info.Runs.Count > 1) throw new InvalidDataException($"{removalFile}: expected one sorted run, found {info.Runs.Count}");
        using var removals = info.Runs.Count == 1 ? new RecordRunReader<RemovalRecord>(info, 0) : null;
        var next = removals is not null && removals.MoveNext() ? removals.Current : (RemovalRecord?)null;

        var extras = documents.SelectMany(i => DocumentSources.ExtraColumnsOf(i))
            .Where(c => c.Name is not ("reason" or "cluster_id" or "cluster_size"))
            .DistinctBy(c => c.Name).ToList();
        using var kept = new DocumentShardWriter(context.CreateOutput(context.Plan.Outputs[0]), extras, options.Documents.Write);
        using var removed = options.Documents.KeepRemoved
            ? new DocumentShardWriter(context.CreateOutput(context.Plan.Outputs[1]),
                [.. extras, ExtraColumn.String("reason"), ExtraColumn.Int64("cluster_id"), ExtraColumn.Int64("cluster_size")], options.Documents.Write)
            : null;
        var stats = context.Stats;
        long ordinal = 0;
        var rejects = options.Documents.MaskRejects(context.Rejects);
        for (var f = 0; f < documents.Count; f++)
        {
            var fileIndex = f;
            void OnFraction(double x) => context.Progress.SetFraction((fileIndex + x) / documents.Count);
            foreach (var doc in DocumentSources.Read(documents[f], options.Documents.Read, rejects, OnFraction))
            {
                context.Cancellation.ThrowIfCancellationRequested();
                // The byte count the reader already holds: the text is never decoded, kept documents go out as they came.
                var bytes = doc.TextUtf8Length;
                stats.Add("docs_in");
                stats.Add("bytes_in", bytes);
                context.Progress.Advance(1, bytes);
                if (next is not { } r || r.Ordinal != ordinal++)
                {
                    kept.Write(doc);
                    stats.Add("docs_out");
                    stats.Add("bytes_out", bytes);
                    continue;
                }
                if (r.IdHash != MinHashSignatureJob.IdHash(doc.Id))
                    throw new InvalidDataException(
                        $"{documents[f]}: document {r.Ordinal} of task {context.Index} is '{doc.Id}', not the document the signatures stage read; the input changed since, rerun dedup from scratch");
                var reason = r.Exact switch { RemovalRecord.ExactReason => ExactReason, RemovalRecord.UrlReason => UrlReason, _ => NearReason };
                stats.Add("dropped." + reason);
                stats.Add("dropped_bytes." + reason, bytes);
                if (removed is not null)
                {
                    options.Documents.MaskForRemoved(doc);
                    doc["reason"] = reason;
                    doc["cluster_id"] = (long)r.Cluster;
                    doc["cluster_size"] = r.ClusterSize;
                    removed.Write(doc);
                }
                next = removals!.MoveNext() ? removals.Current : null;
            }
        }
        if (next is { } left)
            throw new InvalidDataException($"{removalFile}: lists document {left.Ordinal} but task {context.Index} read only {ordinal} documents; the input changed since the signatures stage");
    }
}
