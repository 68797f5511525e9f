using System.IO.Compression;
using Parquet;

namespace DataFlow.Engine.Documents;

/// <summary>Row-group bounds and compression for Parquet shards.</summary>
public sealed record ShardWriteOptions
{
    public int RowGroupRows { get; init; } = DocumentShardWriter.DefaultRowGroupRows;
    public long RowGroupBytes { get; init; } = DocumentShardWriter.DefaultRowGroupBytes;
    public CompressionMethod Compression { get; init; } = CompressionMethod.Zstd;
    public CompressionLevel CompressionLevel { get; init; } = CompressionLevel.Optimal;

    public static ShardWriteOptions Default { get; } = new();
}
