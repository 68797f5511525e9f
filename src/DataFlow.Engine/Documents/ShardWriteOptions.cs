using System.IO.Compression;
using Parquet;

namespace DataFlow.Engine.Documents;

/// <summary>Row-group bounds and compression for Parquet shards.</summary>
public sealed record ShardWriteOptions
{
    public int RowGroupRows { get; init; } = DocumentShardWriter.DefaultRowGroupRows;
    public long RowGroupBytes { get; init; } = DocumentShardWriter.DefaultRowGroupBytes;
    public CompressionMethod Compression { get; init; } = CompressionMethod.Zstd;
    /// <summary>Fastest by default: zstd's fastest level writes about twice as fast as Optimal for ~13% larger shards, so ingest is never the bottleneck.</summary>
    public CompressionLevel CompressionLevel { get; init; } = CompressionLevel.Fastest;

    public static ShardWriteOptions Default { get; } = new();
}
