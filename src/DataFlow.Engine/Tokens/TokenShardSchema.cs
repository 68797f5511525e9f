using Parquet;
using Parquet.Schema;

namespace DataFlow.Engine.Tokens;

/// <summary>The Parquet layout of a token shard: one column <c>tokens</c> of type list&lt;int32&gt;, zstd-compressed.</summary>
internal static class TokenShardSchema
{
    public const string SeqLenKey = "dataflow.seq_len";

    public static readonly DataField<int> Element = new("element");
    public static readonly ListField Tokens = new(TokenShardWriter.ColumnName, Element);
    public static readonly ParquetSchema Schema = new(Tokens);

    // Optimal, not the library's SmallestSize default: zstd at the highest level writes at ~2 MB/s.
    public static ParquetOptions Options() => new()
    {
        CompressionMethod = CompressionMethod.Zstd,
        CompressionLevel = System.IO.Compression.CompressionLevel.Optimal,
    };

    /// <summary>The leaf field of the <c>tokens</c> column in a file being read.</summary>
    public static DataField FindTokensField(ParquetSchema schema, string path)
    {
        foreach (var field in schema.GetDataFields())
        {
            if (field.Path.FirstPart == TokenShardWriter.ColumnName && field.ClrType == typeof(int) && field.MaxRepetitionLevel == 1)
                return field;
        }
        throw new InvalidDataException($"{path}: no list<int32> column '{TokenShardWriter.ColumnName}'");
    }
}
