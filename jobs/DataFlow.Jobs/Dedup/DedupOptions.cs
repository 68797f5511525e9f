using DataFlow.Engine.Jobs;
using DataFlow.Text.Dedup;

namespace DataFlow.Jobs.Dedup;

/// <summary>Everything the dedup stages share, validated once when the pipeline is built.</summary>
public sealed record DedupOptions
{
    /// <summary>Where documents come from and how the filter writes them.</summary>
    public DocumentStageOptions Documents { get; init; } = new();

    /// <summary>Remove copies whose text hashes (XxHash128) equal: the text as written (default) or its normalized form.</summary>
    public ExactMode Exact { get; init; } = ExactMode.Written;

    /// <summary>Remove near duplicates found by MinHash/LSH.</summary>
    public bool MinHash { get; init; } = true;

    public MinHashOptions Signature { get; init; } = new();

    /// <summary>Hash ranges per band (and for the exact hashes): more, smaller bucket tasks.</summary>
    public int BucketsPerBand { get; init; } = 1;

    public KeepPolicy Keep { get; init; } = KeepPolicy.First;

    /// <summary>
    /// Candidate pairs whose signatures agree on fewer than this share of positions are dropped before clustering
    /// (0 trusts LSH alone). Costs NumPerm*4 bytes of memory per document that appears in a candidate pair.
    /// </summary>
    public double VerifyThreshold { get; init; } = 0.6;

    /// <summary>Band/exact records a signatures task buffers before it sorts and spills a run (16-24 bytes each).</summary>
    public long MaxBufferedRecords { get; init; } = 4_000_000;

    /// <summary>Folder this run writes its index to (<c>write_index</c>), or null: later runs deduplicate against it.</summary>
    public string? WriteIndex { get; init; }

    /// <summary>Indexes of earlier runs (<c>against</c>), opened and checked: a document that duplicates one of theirs is removed.</summary>
    public IReadOnlyList<DedupIndex> Against { get; init; } = [];

    /// <summary>
    /// Sentence-span dedup: N &gt; 0 hashes every run of N consecutive sentences and cuts each run from every document
    /// but the first that holds it (input order); 0 is off. Runs after the document-level dedup when that is on too.
    /// </summary>
    public int Sentences { get; init; }

    /// <summary>A document that lost spans is dropped when fewer words than this remain (datatrove's min_doc_words).</summary>
    public int MinDocWords { get; init; } = 50;

    /// <summary>A document that lost spans is dropped when fewer sentences than this remain (datatrove's min_num_sentences).</summary>
    public int MinSentences { get; init; } = 3;

    /// <summary>
    /// URL dedup: documents whose <see cref="UrlField"/> (an extra column, or a metadata field) normalizes to the same
    /// key (<see cref="DataFlow.Text.Web.UrlNormalizer"/>) are duplicates; <see cref="Keep"/> picks the one kept.
    /// </summary>
    public bool Url { get; init; }

    /// <summary>The column (or metadata field) URL dedup reads; the WARC reader writes <c>url</c>.</summary>
    public string UrlField { get; init; } = "url";

    /// <summary>True when document-level stages (exact, MinHash, URL) run.</summary>
    public bool DocumentLevel => Exact != ExactMode.Off || MinHash || Url;

    /// <summary>Hash ranges of URL records, after the near and exact partitions.</summary>
    public int UrlPartitions => Url ? BucketsPerBand : 0;

    /// <summary>All partitions the signatures stage writes, the buckets stage reads and an index holds: near, exact, then URL.</summary>
    public int AllPartitions => NearPartitions + ExactPartitions + UrlPartitions;

    public int NearPartitions => MinHash ? Signature.Bands * BucketsPerBand : 0;
    public int ExactPartitions => Exact != ExactMode.Off ? BucketsPerBand : 0;
    public bool Verify => MinHash && VerifyThreshold > 0;

    /// <summary>The hash range a 64-bit hash falls in (top bits, so ranges are contiguous in sort order).</summary>
    public int RangeOf(ulong hash) => (int)((hash >> 32) * (ulong)BucketsPerBand >> 32);

    public DedupOptions Validate()
    {
        if (!DocumentLevel && Sentences == 0) throw new ArgumentException("dedup needs exact, minhash, url or sentences enabled");
        if (Sentences is < 0 or > 1000) throw new ArgumentException($"sentences {Sentences} must be in [0, 1000]");
        if (MinDocWords < 0) throw new ArgumentException($"min_doc_words {MinDocWords} must be at least 0");
        if (MinSentences < 0) throw new ArgumentException($"min_sentences {MinSentences} must be at least 0");
        Signature.Validate();
        if (BucketsPerBand is < 1 or > 4096) throw new ArgumentException($"buckets_per_band {BucketsPerBand} must be in [1, 4096]");
        if (VerifyThreshold is < 0 or > 1) throw new ArgumentException($"verify_threshold {VerifyThreshold} must be in [0, 1]");
        return this;
    }
}
