using ParquetSharp;

namespace DataFlow.Engine.Documents;

/// <summary>Row-group bounds and compression for Parquet shards.</summary>
public sealed record ShardWriteOptions
{
    public int RowGroupRows { get; init; } = DocumentShardWriter.DefaultRowGroupRows;

    /// <summary>Bound on the UTF-8 bytes of id, text and metadata buffered for one row group.</summary>
    public long RowGroupBytes { get; init; } = DocumentShardWriter.DefaultRowGroupBytes;

    public Compression Compression { get; init; } = Compression.Zstd;

    /// <summary>
    /// Codec level (zstd -7 to 22, gzip 1-9; snappy has none). zstd 1 by default: negative levels save no time
    /// here, level 3 spends 1.6-1.7x its compression time for shards 10-15% smaller, and compression is already
    /// about half of ingest's CPU (docs/ingest.md).
    /// </summary>
    public int Level { get; init; } = 1;

    public static ShardWriteOptions Default { get; } = new();
}
