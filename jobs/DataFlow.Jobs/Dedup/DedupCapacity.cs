using DataFlow.Engine.Records;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// What the four dedup stages need for a corpus of a given size, from the record sizes and buffers the jobs use:
/// tasks, files written, peak memory of one task and bytes written, per stage. Every quantity is 64-bit.
/// <paramref name="DuplicateShare"/> is the share of documents that fall in some exact or candidate pair (it sizes
/// the pair files and the clusters task, whose memory grows with those documents only).
/// </summary>
public sealed record DedupCapacity(DedupOptions Options, long Documents, long BytesPerDocument, int SignatureTasks, double DuplicateShare)
{
    /// <summary>Bytes per document in the clusters task: graph (index entry, doc, parent, size, exact parent) and per-node arrays.</summary>
    public const int GraphBytesPerDocument = 24 + 8 * 4 + 8 + 8 + 8 + 1 + 8 + 8;

    /// <summary>Buffer of one document and its fingerprint (normalized copy, token and shingle hashes) in a signatures task.</summary>
    public long FingerprintBytes => BytesPerDocument * 2 + BytesPerDocument * 8 * 2;

    public long DocumentsPerTask => (Documents + SignatureTasks - 1) / SignatureTasks;

    public long DocumentsInPairs => (long)Math.Ceiling(Documents * DuplicateShare);

    public IReadOnlyList<StageEstimate> Stages()
    {
        var o = Options;
        var bands = o.MinHash ? o.Signature.Bands : 0;
        var partitions = o.AllPartitions;
        // Exact and URL records are the same 24-byte record, each written by its own buffer.
        var exactKinds = (o.ExactPartitions > 0 ? 1 : 0) + (o.Url ? 1 : 0);
        var band = RecordFileWriter<BandRecord>.RecordSize;
        var exact = RecordFileWriter<ExactRecord>.RecordSize;
        var pair = RecordFileWriter<PairRecord>.RecordSize;
        var info = RecordFileWriter<DocInfoRecord>.RecordSize;
        var signatureBytes = o.Verify ? (o.Signature.NumPerm + 2L) * sizeof(uint) : 0;

        var bandBuffer = o.MinHash ? o.MaxBufferedRecords * band : 0;
        var exactBuffer = exactKinds * Math.Max(1, o.MaxBufferedRecords / o.Signature.Bands) * exact;
        var perDocument = bands * (long)band + exactKinds * (long)exact + info + signatureBytes;
        var signatures = new StageEstimate("signatures", SignatureTasks, (long)SignatureTasks * (partitions + 1 + (o.Verify ? 1 : 0)),
            bandBuffer + exactBuffer + FingerprintBytes, Documents * perDocument);

        // Every signatures task spills a sorted run per full buffer; a bucket task merges one run of each, 4096 records buffered per run.
        var recordsPerTask = DocumentsPerTask * Math.Max(1, bands);
        var spills = Math.Max(1, (recordsPerTask + o.MaxBufferedRecords - 1) / o.MaxBufferedRecords);
        // Star pairs: a document in a pair adds at most one pair per band it shares, one for its exact group and one for its URL group.
        var pairs = DocumentsInPairs * (bands + exactKinds);
        var buckets = new StageEstimate("buckets", partitions, partitions, SignatureTasks * spills * 4096L * Math.Max(band, exact), pairs * pair);

        var clusterMemory = DocumentsInPairs * (GraphBytesPerDocument + (o.Verify ? o.Signature.NumPerm * 4L + 1 : 0));
        var removals = RecordFileWriter<RemovalRecord>.RecordSize;
        var clusters = new StageEstimate("clusters", 1, SignatureTasks, clusterMemory, DocumentsInPairs * removals);

        var filter = new StageEstimate("filter", SignatureTasks, SignatureTasks * (o.Documents.KeepRemoved ? 2L : 1L),
            Math.Min(o.Documents.Write.RowGroupBytes, DedupStageType.FilterRowGroupBytes) * 2 + FingerprintBytes, Documents * BytesPerDocument);
        if (o.WriteIndex is null) return [signatures, buckets, clusters, filter];
        // The index is a copy of the signature files (not the docs files): one 64 KiB-buffered copy at a time.
        var index = new StageEstimate("index", SignatureTasks, SignatureTasks * (partitions + (o.Verify ? 2L : 1L)), 1L << 16, Documents * (perDocument - info));
        return [signatures, buckets, clusters, index, filter];
    }
}

/// <summary>One dedup stage's estimate: tasks, files it writes, peak memory of one task, bytes it writes (at most).</summary>
public sealed record StageEstimate(string Stage, long Tasks, long Files, long MemoryPerTask, long DiskBytes);
