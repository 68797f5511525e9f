using DataFlow.Engine.Documents;

namespace DataFlow.Engine.Jobs;

/// <summary>
/// Base of stages that map documents one to one (ingest, quality, pii, dedup filter...). Task i reads either
/// a balanced share of raw input files or the main shard of upstream task i, and writes OUT/part-0000i.parquet
/// (plus OUT/removed/part-0000i.parquet with a reason column when removed documents are kept). Counts
/// docs/bytes in and out and every drop reason; extra columns of the input are carried through.
/// </summary>
public abstract class DocumentStageJob(DocumentStageOptions options) : IStageJob
{
    public DocumentStageOptions Options { get; } = options;

    /// <summary>Columns this stage adds to each document.</summary>
    protected virtual IReadOnlyList<ExtraColumn> AddedColumns => [];

    protected abstract IDocumentProcessor CreateProcessor(TaskContext context);

    /// <summary>A short, display-safe example of a dropped document (mask anything sensitive), or null for none.</summary>
    protected virtual string? ExampleOf(Document document, string reason) => null;

    /// <summary>The sink bad input records go to; a stage whose input may hold secrets wraps it to mask what is written.</summary>
    protected virtual IRejectSink RejectSink(TaskContext context) => context.Rejects;

    public static string MainShard(string outputDir, int index) => Path.Combine(outputDir, $"part-{index:D5}.parquet");

    public virtual IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var outDir = context.OutputDir;
        IReadOnlyList<IReadOnlyList<string>> inputs = Options.Input is { } patterns
            ? BalancedSplit(InputGlob.Expand(patterns, context.Pipeline.Settings.BaseDir), Options.Tasks)
            : context.PreviousManifest().Tasks.Select(t => (IReadOnlyList<string>)[t.Outputs[0]]).ToList();
        var side = SideInputs(context);
        if (side.Count != SideInputCount)
            throw new InvalidOperationException($"stage '{context.Stage.Name}' planned {side.Count} side inputs, but declares {SideInputCount}");
        return inputs.Select((files, i) => new TaskPlan(i, [.. files, .. side], Outputs(outDir, i))).ToList();
    }

    /// <summary>How many inputs of every task, at the end of its list, are not documents (a model folder the stage reads).</summary>
    protected virtual int SideInputCount => 0;

    /// <summary>The <see cref="SideInputCount"/> paths appended to every task's inputs, resolved at plan time and recorded in the manifest.</summary>
    protected virtual IReadOnlyList<string> SideInputs(PlanContext context) => [];

    /// <summary>The task's side inputs (see <see cref="SideInputCount"/>).</summary>
    protected IReadOnlyList<string> SideInputsOf(TaskContext context) => context.Inputs.Skip(context.Inputs.Count - SideInputCount).ToList();

    private List<string> Outputs(string outDir, int i)
    {
        var outputs = new List<string> { MainShard(outDir, i) };
        if (Options.KeepRemoved) outputs.Add(Path.Combine(outDir, "removed", $"part-{i:D5}.parquet"));
        return outputs;
    }

    /// <summary>Deals files to tasks largest first, each to the least-loaded task, so task sizes are even and the mapping is deterministic.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> BalancedSplit(IReadOnlyList<string> files, int tasks)
    {
        var count = Math.Max(1, Math.Min(tasks, files.Count));
        var buckets = Enumerable.Range(0, count).Select(_ => new List<string>()).ToArray();
        var load = new long[count];
        foreach (var file in files.OrderByDescending(f => new FileInfo(f).Length).ThenBy(f => f, StringComparer.Ordinal))
        {
            var target = Array.IndexOf(load, load.Min());
            buckets[target].Add(file);
            load[target] += new FileInfo(file).Length;
        }
        return buckets.Select(b => (IReadOnlyList<string>)b.Order(StringComparer.Ordinal).ToList()).ToList();
    }

    public void Run(TaskContext context)
    {
        var processor = CreateProcessor(context);
        var extras = InputExtras(context.Inputs).Concat(AddedColumns).DistinctBy(c => c.Name).ToList();
        StartupTrace.Mark("input-columns-read");
        using var kept = new DocumentShardWriter(context.CreateOutput(context.Plan.Outputs[0]), extras, Options.Write);
        using var removed = Options.KeepRemoved
            ? new DocumentShardWriter(context.CreateOutput(context.Plan.Outputs[1]), [.. extras, ExtraColumn.String("reason")], Options.Write)
            : null;
        StartupTrace.Mark("output-opened");
        var stats = context.Stats;
        var rejects = Options.MaskRejects(RejectSink(context));
        var batchSize = Math.Max(1, processor.BatchSize);
        var batch = new List<Document>(batchSize);
        var verdicts = new DocumentVerdict[batchSize];
        var batchBytes = new long[batchSize]; // bytes as read: a processor may rewrite the text
        var documentFiles = context.Inputs.Count - SideInputCount;
        bool traced = false, opened = false;
        // Per-document counters are summed here and added to the stats once (a locked sorted-dictionary update per
        // document each was a measurable share of a stage on short documents); absent, as before, where no document came in / out.
        long docsIn = 0, bytesInTotal = 0, docsOut = 0, bytesOut = 0;
        for (var f = 0; f < documentFiles; f++)
        {
            var file = context.Inputs[f];
            var fileIndex = f;
            void OnFraction(double x) => context.Progress.SetFraction((fileIndex + x) / documentFiles);
            foreach (var doc in DocumentSources.Read(file, Options.Read, rejects, OnFraction))
            {
                context.Cancellation.ThrowIfCancellationRequested();
                if (!opened && StartupTrace.Enabled)
                {
                    opened = true;
                    StartupTrace.Mark("input-opened"); // the first document read: the input's footer and first row group decoded
                }
                var bytesIn = doc.TextUtf8Length;
                docsIn++;
                bytesInTotal += bytesIn;
                context.Progress.Advance(1, bytesIn);
                if (batchSize == 1)
                {
                    Finish(doc, processor.Process(doc), bytesIn);
                    continue;
                }
                batchBytes[batch.Count] = bytesIn;
                batch.Add(doc);
                if (batch.Count == batchSize) FlushBatch();
            }
            context.Progress.SetFraction((f + 1.0) / documentFiles);
        }
        FlushBatch();
        if (docsIn > 0)
        {
            stats.Add("docs_in", docsIn);
            stats.Add("bytes_in", bytesInTotal);
        }
        if (docsOut > 0)
        {
            stats.Add("docs_out", docsOut);
            stats.Add("bytes_out", bytesOut);
        }
        processor.Complete(stats);

        void FlushBatch()
        {
            if (batch.Count == 0) return;
            processor.ProcessBatch(batch, verdicts.AsSpan(0, batch.Count));
            for (var i = 0; i < batch.Count; i++) Finish(batch[i], verdicts[i], batchBytes[i]);
            batch.Clear();
        }

        void Finish(Document doc, DocumentVerdict verdict, long bytesIn)
        {
            if (!traced && StartupTrace.Enabled)
            {
                traced = true;
                StartupTrace.Mark("first-document");
            }
            if (verdict.IsKept)
            {
                kept.Write(doc);
                docsOut++;
                bytesOut += doc.TextUtf8Length;
                return;
            }
            var reason = verdict.DropReason!;
            stats.Add("dropped." + reason);
            stats.Add("dropped_bytes." + reason, bytesIn);
            if (ExampleOf(doc, reason) is { } example) stats.AddExample("dropped." + reason, example);
            if (removed is not null)
            {
                Options.MaskForRemoved(doc);
                doc["reason"] = reason;
                removed.Write(doc);
            }
        }
    }

    private IEnumerable<ExtraColumn> InputExtras(IReadOnlyList<string> inputs) =>
        inputs.Take(inputs.Count - SideInputCount).SelectMany(i => DocumentSources.ExtraColumnsOf(i))
            .Where(c => c.Name != "reason");
}
