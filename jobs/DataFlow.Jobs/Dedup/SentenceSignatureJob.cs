using System.Diagnostics;
using System.Runtime.InteropServices;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;
using DataFlow.Text.Dedup;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Sentence dedup stage 1 (map side). Task i streams its documents once and writes, per hash range j, sorted runs of
/// (span hash, document, first sentence) for every run of N consecutive sentences, plus the per-document info the
/// filter checks its input against. Reads the document-level filter's shards when that runs first.
/// Memory: the run buffer (MaxBufferedRecords x 24 B) and one document.
/// </summary>
public sealed class SentenceSignatureJob(DedupOptions options, DedupLayout layout) : IStageJob
{
    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var outDir = context.OutputDir;
        var docs = options.Documents;
        IReadOnlyList<IReadOnlyList<string>> inputs =
            layout.SentencesAfterDocuments
                ? context.ManifestOf(layout.Filter).Tasks.Select(t => (IReadOnlyList<string>)[t.Outputs[0]]).ToList()
                : docs.Input is { } patterns
                    ? DocumentStageJob.BalancedSplit(InputGlob.Expand(patterns, context.Pipeline.Settings.BaseDir), docs.Tasks)
                    : context.PreviousManifest().Tasks.Select(t => (IReadOnlyList<string>)[t.Outputs[0]]).ToList();
        return inputs.Select((files, i) => new TaskPlan(i, files,
        [
            .. Enumerable.Range(0, options.BucketsPerBand).Select(p => DedupLayout.SpanFile(outDir, i, p)),
            DedupLayout.DocInfoFile(outDir, i),
        ])).ToList();
    }

    /// <summary>How the sentence stages read documents: the document filter's shards have the standard columns.</summary>
    public static ReadOptions ReadOptionsFor(DedupOptions options, DedupLayout layout) =>
        layout.SentencesAfterDocuments
            ? options.Documents.Read with { IdField = "id", TextField = "text", KeepMetadata = true }
            : options.Documents.Read;

    public void Run(TaskContext context)
    {
        var dir = Path.GetDirectoryName(context.Plan.Outputs[0])!;
        var task = context.Index;
        var partitions = options.BucketsPerBand;
        using var spans = new PartitionedRunWriter<SentenceSpanRecord>(
            Enumerable.Range(0, partitions).Select(p => context.CreateOutput(DedupLayout.SpanFile(dir, task, p))).ToList(),
            SentenceSpanRecord.Kind, options.MaxBufferedRecords);
        using var infos = new RecordFileWriter<DocInfoRecord>(context.CreateOutput(DedupLayout.DocInfoFile(dir, task)), DocInfoRecord.Kind);
        var kernel = new SentenceSpans(options.Sentences);
        var found = new List<(int Sentence, ulong Hash)>();
        var stats = context.Stats;
        var hashing = new Stopwatch();
        var read = ReadOptionsFor(options, layout) with { KeepMetadata = false };
        long ordinal = 0;
        for (var f = 0; f < context.Inputs.Count; f++)
        {
            var fileIndex = f;
            void OnFraction(double x) => context.Progress.SetFraction((fileIndex + x) / context.Inputs.Count);
            foreach (var doc in DocumentSources.Read(context.Inputs[f], read, options.Documents.MaskRejects(context.Rejects), OnFraction))
            {
                context.Cancellation.ThrowIfCancellationRequested();
                var bytes = doc.TextUtf8Length;
                var text = doc.Text;
                var docRef = DocRef.Make(task, ordinal++);
                found.Clear();
                hashing.Start();
                var sentences = kernel.Compute(text, found);
                hashing.Stop();
                foreach (var (sentence, hash) in CollectionsMarshal.AsSpan(found))
                    spans.Add(options.RangeOf(hash), new SentenceSpanRecord(hash, docRef, sentence));
                infos.Append(new DocInfoRecord(docRef, 0, bytes, MinHashSignatureJob.IdHash(doc.Id)));
                stats.Add("docs_in");
                stats.Add("bytes_in", bytes);
                stats.Add("sentences", sentences);
                stats.Add("spans", found.Count);
                if (found.Count == 0) stats.Add("docs_without_spans");
                context.Progress.Advance(1, bytes);
            }
        }
        spans.Complete();
        infos.Complete();
        stats.AddValue("seconds_hashing", hashing.Elapsed.TotalSeconds);
        stats.Add("sorted_runs", spans.Spills);
    }
}
