using DataFlow.Text.Chat;
using Parquet;
using Parquet.Schema;

namespace DataFlow.Trainer.Sft;

/// <summary>
/// Reads the SFT shards <c>sft_prepare</c> writes (<see cref="SftShardWriter"/>) back into <see cref="SftRow"/>s: a
/// prepared folder (every <c>part-*.parquet</c> in it, in name order) or one shard file. Padded rows get segment 1 up to
/// their length; packed rows carry their segment ids. Every shard's tokenizer must be the model's.
/// </summary>
public static class SftShardReader
{
    public const string ShardPattern = "part-*.parquet";

    /// <summary>Whether a <c>train</c>/<c>eval</c> entry names prepared shards (a folder or a .parquet file) rather than JSONL.</summary>
    public static bool IsPrepared(string entry) =>
        Directory.Exists(entry) || entry.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>The shard files of a prepared entry.</summary>
    public static IReadOnlyList<string> ShardsOf(string entry)
    {
        if (!Directory.Exists(entry))
            return File.Exists(entry) ? [entry] : throw new FileNotFoundException($"{entry}: no such SFT shard", entry);
        var shards = Directory.GetFiles(entry, ShardPattern).Order(StringComparer.Ordinal).ToList();
        return shards.Count > 0 ? shards : throw new InvalidDataException($"{entry}: a folder with no SFT shards ({ShardPattern}); give a folder sft_prepare wrote, or JSONL files");
    }

    /// <summary>All rows of one shard, after checking its tokenizer against <paramref name="tokenizer"/>.</summary>
    public static (SftShardMetadata Metadata, List<SftRow> Rows) Read(string path, ChatTokenizer tokenizer, string modelSide)
    {
        using var stream = File.OpenRead(path);
        ParquetReader reader;
        try
        {
            reader = ParquetReader.CreateAsync(stream).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException)
        {
            throw new InvalidDataException($"{path}: not a Parquet SFT shard ({e.Message})", e);
        }
        try
        {
            var metadata = SftShardMetadata.Parse(path, reader.CustomMetadata);
            metadata.CheckTokenizer(path, tokenizer, modelSide);
            return (metadata, ReadRows(path, reader, metadata));
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static List<SftRow> ReadRows(string path, ParquetReader reader, SftShardMetadata metadata)
    {
        var fields = reader.Schema.GetDataFields();
        DataField Field(string name) => fields.SingleOrDefault(f => f.Path.FirstPart == name)
            ?? throw new InvalidDataException($"{path}: SFT shard has no column '{name}'");
        var packed = metadata.Layout == SftShardLayout.Packed;
        var (tokensField, maskField) = (Field(SftShardWriter.TokensColumn), Field(SftShardWriter.LossMaskColumn));
        var sideField = Field(packed ? SftShardWriter.SegmentsColumn : SftShardWriter.LengthColumn);
        var width = metadata.MaxTokens;
        var rows = new List<SftRow>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var count = checked((int)group.RowCount);
            var tokens = ReadFixedLists(path, group, tokensField, count, width);
            var mask = ReadFixedLists(path, group, maskField, count, width);
            int[] segments;
            if (packed) segments = ReadFixedLists(path, group, sideField, count, width);
            else
            {
                var lengths = new int[count];
                group.ReadAsync<int>(sideField, lengths.AsMemory(), null, CancellationToken.None).GetAwaiter().GetResult();
                segments = new int[count * width];
                for (var r = 0; r < count; r++)
                {
                    if (lengths[r] is < 1 || lengths[r] > width) throw new InvalidDataException($"{path}: row {rows.Count + r} has length {lengths[r]}, outside [1, {width}]");
                    segments.AsSpan(r * width, lengths[r]).Fill(1);
                }
            }
            for (var r = 0; r < count; r++)
                rows.Add(new SftRow(tokens[(r * width)..((r + 1) * width)], mask[(r * width)..((r + 1) * width)], segments[(r * width)..((r + 1) * width)]));
        }
        return rows;
    }

    /// <summary>A list&lt;int32&gt; column whose every row holds exactly <paramref name="width"/> values, flattened.</summary>
    private static int[] ReadFixedLists(string path, ParquetRowGroupReader group, DataField field, int rows, int width)
    {
        var chunk = group.RowGroup.Columns.Single(c => c.MetaData!.PathInSchema[0] == field.Path.FirstPart);
        if (chunk.MetaData!.NumValues != (long)rows * width)
            throw new InvalidDataException($"{path}: column '{field.Path.FirstPart}' holds {chunk.MetaData.NumValues} values for {rows} rows of {width}");
        var values = new int[rows * width];
        var definition = new int[values.Length];
        var repetition = new int[values.Length];
        group.ReadRawAsync<int>(field, values, definition.AsMemory(), repetition.AsMemory(), CancellationToken.None).GetAwaiter().GetResult();
        return values;
    }
}
