using Parquet;
using Parquet.Schema;

namespace DataFlow.Trainer.Tests.Sft;

/// <summary>An SFT shard read back with Parquet.Net: every row's tokens and loss mask (and length when padded, segment ids when packed).</summary>
public sealed record SftShardFile(List<int[]> Tokens, List<int[]> LossMask, List<int>? Lengths, List<int[]>? Segments, IReadOnlyDictionary<string, string> Metadata)
{
    public static SftShardFile Read(string path)
    {
        using var stream = File.OpenRead(path);
        var reader = ParquetReader.CreateAsync(stream).GetAwaiter().GetResult();
        try
        {
            return Read(reader);
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static SftShardFile Read(ParquetReader reader)
    {
        var fields = reader.Schema.GetDataFields();
        var tokensField = fields.Single(f => f.Path.FirstPart == "tokens");
        var maskField = fields.Single(f => f.Path.FirstPart == "loss_mask");
        var lengthField = fields.SingleOrDefault(f => f.Path.FirstPart == "length");
        var segmentsField = fields.SingleOrDefault(f => f.Path.FirstPart == "segment_ids");
        List<int[]>? segments = segmentsField is null ? null : [];
        var tokens = new List<int[]>();
        var mask = new List<int[]>();
        List<int>? lengths = lengthField is null ? null : [];
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            tokens.AddRange(ReadLists(group, tokensField));
            mask.AddRange(ReadLists(group, maskField));
            if (segmentsField is not null) segments!.AddRange(ReadLists(group, segmentsField));
            if (lengthField is not null)
            {
                var values = new int[group.RowCount];
                group.ReadAsync<int>(lengthField, values.AsMemory(), null, CancellationToken.None).GetAwaiter().GetResult();
                lengths!.AddRange(values);
            }
        }
        return new SftShardFile(tokens, mask, lengths, segments, reader.CustomMetadata);
    }

    private static List<int[]> ReadLists(ParquetRowGroupReader group, DataField field)
    {
        // Levels include one entry per value here (no null or empty lists in an SFT shard), so the chunk's value count sizes the buffers.
        var chunk = group.RowGroup.Columns.Single(c => c.MetaData!.PathInSchema[0] == field.Path.FirstPart);
        var count = checked((int)chunk.MetaData!.NumValues);
        var values = new int[count];
        var repetition = new int[count];
        var definition = new int[count];
        group.ReadRawAsync<int>(field, values, definition.AsMemory(), repetition.AsMemory(), CancellationToken.None).GetAwaiter().GetResult();
        Assert.All(definition, d => Assert.Equal(field.MaxDefinitionLevel, d));
        var rows = new List<int[]>();
        var start = 0;
        for (var i = 1; i <= values.Length; i++)
        {
            if (i < values.Length && repetition[i] != 0) continue;
            rows.Add(values[start..i]);
            start = i;
        }
        return rows;
    }
}
