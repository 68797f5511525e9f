using System.Runtime.InteropServices;
using System.Text;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;
using DataFlow.Text.Dedup;
using DataFlow.Text.Normalization;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Sentence dedup stage 3: task i re-reads exactly the documents sentence-signatures task i read, in the same order,
/// with its cuts merged from every finder task beside them (memory stays flat), and cuts each listed span. A document
/// that lost spans is kept with the text that is left, unless fewer than min_doc_words words or min_sentences
/// sentences remain (or nothing): then it is dropped with reason duplicate_sentences (datatrove's filter rule).
/// Every document is checked against the id hash the signatures stage recorded, so a changed input fails the task.
/// </summary>
public sealed class SentenceFilterJob(DedupOptions options, DedupLayout layout) : IStageJob
{
    public const string Reason = "duplicate_sentences";

    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var signatures = context.ManifestOf(layout.SentenceSignatures);
        var finder = context.ManifestOf(layout.SentenceFinder);
        return signatures.Tasks.Select(t =>
        {
            var outputs = new List<string> { DocumentStageJob.MainShard(context.OutputDir, t.Index) };
            if (options.Documents.KeepRemoved) outputs.Add(Path.Combine(context.OutputDir, "removed", $"part-{t.Index:D5}.parquet"));
            List<string> inputs = [.. t.Inputs, t.Outputs[^1], .. finder.Tasks.Select(f => f.Outputs[t.Index])];
            return new TaskPlan(t.Index, inputs, outputs);
        }).ToList();
    }

    public void Run(TaskContext context)
    {
        var finderTasks = options.BucketsPerBand;
        var documents = context.Inputs.Take(context.Inputs.Count - finderTasks - 1).ToList();
        var infoFile = context.Inputs[documents.Count];
        var cutFiles = context.Inputs.Skip(documents.Count + 1).ToList();
        using var cuts = new SortedRunMerger<SpanRemovalRecord>(
            cutFiles.Select(f => RecordFileFormat.ReadInfo(f, RecordFileWriter<SpanRemovalRecord>.RecordSize, SpanRemovalRecord.Kind)));
        var next = cuts.TryNext(out var first) ? first : (SpanRemovalRecord?)null;
        using var infos = new RecordRunReader<DocInfoRecord>(RecordFileFormat.ReadInfo(infoFile, RecordFileWriter<DocInfoRecord>.RecordSize, DocInfoRecord.Kind), 0);

        var read = SentenceSignatureJob.ReadOptionsFor(options, layout);
        var extras = documents.SelectMany(i => DocumentSources.ExtraColumnsOf(i))
            .Where(c => c.Name is not ("reason" or "spans_cut" or "first_kept_in"))
            .DistinctBy(c => c.Name).ToList();
        using var kept = new DocumentShardWriter(context.CreateOutput(context.Plan.Outputs[0]), extras, options.Documents.Write);
        using var removed = options.Documents.KeepRemoved
            ? new DocumentShardWriter(context.CreateOutput(context.Plan.Outputs[1]),
                [.. extras, ExtraColumn.String("reason"), ExtraColumn.Int64("spans_cut"), ExtraColumn.Int64("first_kept_in")], options.Documents.Write)
            : null;
        var kernel = new SentenceSpans(options.Sentences);
        var sentences = new List<TextRange>();
        var starts = new List<int>();
        var stats = context.Stats;
        var rejects = options.Documents.MaskRejects(context.Rejects);
        long ordinal = 0;
        for (var f = 0; f < documents.Count; f++)
        {
            var fileIndex = f;
            void OnFraction(double x) => context.Progress.SetFraction((fileIndex + x) / documents.Count);
            foreach (var doc in DocumentSources.Read(documents[f], read, rejects, OnFraction))
            {
                context.Cancellation.ThrowIfCancellationRequested();
                var bytes = doc.TextUtf8Length;   // documents without cuts are copied as read, never decoded
                stats.Add("docs_in");
                stats.Add("bytes_in", bytes);
                context.Progress.Advance(1, bytes);
                if (!infos.MoveNext() || infos.Current.IdHash != MinHashSignatureJob.IdHash(doc.Id))
                    throw new InvalidDataException(
                        $"{documents[f]}: document {ordinal} of task {context.Index} is '{doc.Id}', not the document the sentence signatures stage read; the input changed since, rerun dedup from scratch");
                starts.Clear();
                var keptIn = 0UL;
                while (next is { } cut && cut.Ordinal == ordinal)
                {
                    starts.Add((int)cut.Sentence);
                    keptIn = cut.KeptIn;
                    next = cuts.TryNext(out var r) ? r : null;
                }
                if (next is { } early && early.Ordinal < ordinal)
                    throw new InvalidDataException($"cut files of task {context.Index} are out of order at document {early.Ordinal}");
                ordinal++;
                if (starts.Count == 0)
                {
                    Keep(doc, bytes);
                    continue;
                }
                SentenceSplitter.Spans(doc.Text, sentences);
                var sentenceCount = sentences.Count;
                if (starts[^1] + options.Sentences > sentenceCount)
                    throw new InvalidDataException(
                        $"{documents[f]}: document '{doc.Id}' has {sentenceCount} sentences but a cut starts at sentence {starts[^1]}; the input or the splitter changed since the signatures stage");
                var original = doc.Text;
                var (text, removedSentences) = kernel.Remove(original, sentences, CollectionsMarshal.AsSpan(starts));
                var left = Encoding.UTF8.GetByteCount(text);
                stats.Add("sentence_dedup.spans_cut", starts.Count);
                stats.Add("sentence_dedup.sentences_removed", removedSentences);
                stats.Add("sentence_dedup.docs_with_cuts");
                if (stats.Examples.GetValueOrDefault("removed_span") is not { Count: >= 3 })
                    stats.AddExample("removed_span", Mask(Excerpt(original, sentences, starts[0])));
                var tooShort = text.Length == 0
                    || (options.MinDocWords > 0 && WordSplitter.Count(text) < options.MinDocWords)
                    || (options.MinSentences > 0 && SentenceSplitter.Count(text, options.MinSentences) < options.MinSentences);
                if (!tooShort)
                {
                    stats.Add("sentence_dedup.docs_shortened");
                    stats.Add("sentence_dedup_bytes.cut_from_kept_docs", bytes - left);
                    doc.Text = text;
                    Keep(doc, left);
                    continue;
                }
                stats.Add("sentence_dedup.docs_dropped");
                stats.Add("sentence_dedup_bytes.in_dropped_docs", bytes);
                stats.Add("dropped." + Reason);
                stats.Add("dropped_bytes." + Reason, bytes);
                if (removed is not null)
                {
                    options.Documents.MaskForRemoved(doc);
                    doc["reason"] = Reason;
                    doc["spans_cut"] = (long)starts.Count;
                    doc["first_kept_in"] = (long)keptIn;
                    removed.Write(doc);
                }
            }
        }
        if (infos.MoveNext())
            throw new InvalidDataException($"{infoFile}: lists more documents than the {ordinal} task {context.Index} read; the input changed since the signatures stage");
        if (next is { } leftOver)
            throw new InvalidDataException($"cuts of task {context.Index} list document {leftOver.Ordinal} but the task read only {ordinal} documents; the input changed since the signatures stage");

        void Keep(Document doc, long bytes)
        {
            kept.Write(doc);
            stats.Add("docs_out");
            stats.Add("bytes_out", bytes);
        }
    }

    private string Mask(string text) => options.Documents.Mask is { } mask ? mask(text) : text;

    private string Excerpt(string text, IReadOnlyList<TextRange> sentences, int first)
    {
        var last = Math.Min(sentences.Count, first + options.Sentences) - 1;
        var span = text[sentences[first].Start..sentences[last].End];
        return span.Length <= 300 ? span : span[..300] + "…";
    }
}
