using Encoding = System.Text.Encoding;
using DataFlow.Engine.Documents;
using ParquetSharp;

namespace DataFlow.Tests.Engine;

public class DocumentShardWriterTests
{
    [Theory]
    [InlineData(Compression.Zstd, 1)]
    [InlineData(Compression.Zstd, 19)]
    [InlineData(Compression.Snappy, 0)]
    [InlineData(Compression.Gzip, 6)]
    [InlineData(Compression.Uncompressed, 0)]
    public void Utf8_and_string_documents_read_back_identically_with_every_codec(Compression compression, int level)
    {
        using var dir = new TempDir();
        var path = dir.File("part.parquet");
        var texts = Enumerable.Range(0, 50).Select(i => i % 5 == 0 ? "" : $"doc {i} é 中文 🙂 " + new string('x', i * 37)).ToList();
        using (var writer = new DocumentShardWriter(path, [ExtraColumn.Int32("n")], new ShardWriteOptions { Compression = compression, Level = level, RowGroupRows = 7 }))
        {
            for (var i = 0; i < texts.Count; i++)
            {
                var doc = i % 2 == 0
                    ? new Document($"d{i}", Encoding.UTF8.GetBytes(texts[i]), "src", "{\"k\":" + i + "}")
                    : new Document($"d{i}", texts[i], "src", "{}");
                doc["n"] = i % 3 == 0 ? null : i;
                writer.Write(doc);
            }
        }
        using (var reader = new ParquetFileReader(path))
        using (var group = reader.RowGroup(0))
            Assert.Equal(compression, group.MetaData.GetColumnChunkMetaData(1).Compression);
        var docs = DocumentSources.Read(path, ReadOptions.Default, new CollectingRejects()).ToList();
        Assert.Equal(texts, docs.Select(d => d.Text));
        Assert.Equal(texts.Select((_, i) => $"d{i}"), docs.Select(d => d.Id));
        Assert.Equal("{\"k\":4}", docs[4].Metadata);
        Assert.Equal("{}", docs[5].Metadata);
        Assert.Null(docs[3]["n"]);
        Assert.Equal(4, docs[4]["n"]);
    }

    [Fact]
    public void Row_groups_close_before_a_document_would_overflow_the_byte_bound()
    {
        using var dir = new TempDir();
        var path = dir.File("part.parquet");
        var sizes = new[] { 300, 300, 300, 300, 5000, 300, 300 };
        using (var writer = new DocumentShardWriter(path, null, new ShardWriteOptions { RowGroupBytes = 1000 }))
            for (var i = 0; i < sizes.Length; i++) writer.Write(new Document($"{i}", new string('a', sizes[i]), "s"));

        using var reader = new ParquetFileReader(path);
        var rows = Enumerable.Range(0, reader.FileMetaData.NumRowGroups).Select(g =>
        {
            using var group = reader.RowGroup(g);
            return group.MetaData.NumRows;
        }).ToList();
        // id + text + metadata bytes: three 300-byte documents fit under 1000, the 5000-byte one stands alone.
        Assert.Equal([3L, 1L, 1L, 2L], rows);
    }
}
