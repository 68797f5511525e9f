using DataFlow.Engine.Documents;

namespace DataFlow.Engine.Jobs;

/// <summary>Where a document stage reads from and how it writes.</summary>
public sealed record DocumentStageOptions
{
    /// <summary>Input patterns (files, folders, globs); null reads the previous stage's shards, task for task.</summary>
    public IReadOnlyList<string>? Input { get; init; }

    /// <summary>Number of tasks when reading raw input (capped at the number of files).</summary>
    public int Tasks { get; init; } = Environment.ProcessorCount;

    public ReadOptions Read { get; init; } = ReadOptions.Default;
    public ShardWriteOptions Write { get; init; } = ShardWriteOptions.Default;

    /// <summary>Also write dropped documents, with a "reason" column, to OUT/removed/.</summary>
    public bool KeepRemoved { get; init; }

    /// <summary>
    /// Masks document text that a run writes outside its kept output: the reason and excerpt of rejected records, and
    /// (with <see cref="MaskRemoved"/>) the text and metadata of documents in removed/. The jobs layer supplies the
    /// PII kernels' display mask; null writes them as read.
    /// </summary>
    public Func<string, string>? Mask { get; init; }

    /// <summary>Apply <see cref="Mask"/> to documents written to removed/ (config key mask_removed, default true).</summary>
    public bool MaskRemoved { get; init; } = true;

    /// <summary>The sink rejects go to, masked when a mask is set.</summary>
    public IRejectSink MaskRejects(IRejectSink sink) => Mask is { } mask ? new MaskingRejectSink(sink, mask) : sink;

    /// <summary>Masks a dropped document's text and metadata in place before it is written to removed/, when asked.</summary>
    public void MaskForRemoved(Document document)
    {
        if (Mask is not { } mask || !MaskRemoved) return;
        document.Text = mask(document.Text);
        if (document.Metadata.Length > 2) document.Metadata = mask(RelaxedJson.Unescape(document.Metadata));
    }
}
