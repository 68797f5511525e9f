using System.IO.Compression;
using System.Text;
using DataFlow.Engine.Documents;

namespace DataFlow.Tests.Engine;

public class DocumentReaderTests
{
    private static List<Document> Read(string path, CollectingRejects rejects, ReadOptions? options = null) =>
        DocumentSources.Read(path, options ?? ReadOptions.Default, rejects).ToList();

    private static List<Document> Read(string path, ReadOptions? options, IRejectSink rejects) =>
        DocumentSources.Read(path, options ?? ReadOptions.Default, rejects).ToList();

    [Fact]
    public void Jsonl_keeps_good_lines_around_bad_ones_and_names_each_bad_line()
    {
        using var dir = new TempDir();
        var path = dir.File("in.jsonl");
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.UTF8.GetBytes("{\"id\":\"a\",\"text\":\"first\",\"lang\":\"en\"}\n"));
        bytes.AddRange(Encoding.UTF8.GetBytes("{\"id\":\"b\",\"text\":\"broken\n"));
        bytes.AddRange(Encoding.UTF8.GetBytes("{\"id\":\"c\",\"text\":\"bad "));
        bytes.AddRange([0xC3, 0x28]);
        bytes.AddRange(Encoding.UTF8.GetBytes("\"}\n"));
        bytes.AddRange(Encoding.UTF8.GetBytes("{\"id\":\"d\",\"body\":\"no text field\"}\n"));
        bytes.AddRange(Encoding.UTF8.GetBytes("\n[1,2]\n"));
        bytes.AddRange(Encoding.UTF8.GetBytes("{\"text\":\"no id, CRLF\"}\r\n"));
        bytes.AddRange(Encoding.UTF8.GetBytes("{\"id\":7,\"text\":\"last, no newline\"}"));
        File.WriteAllBytes(path, [.. bytes]);

        var rejects = new CollectingRejects();
        var docs = Read(path, rejects);

        Assert.Equal(["a", "in:7", "7"], docs.Select(d => d.Id));
        Assert.Equal("no id, CRLF", docs[1].Text);
        Assert.Equal("{\"lang\":\"en\"}", docs[0].Metadata);
        Assert.Equal("{}", docs[2].Metadata);
        Assert.Equal([2L, 3L, 4L, 6L], rejects.Items.Select(r => r.Line));
        Assert.Contains("broken JSON", rejects.Items[0].Reason);
        Assert.Equal("invalid UTF-8", rejects.Items[1].Reason);
        Assert.Contains("missing text field 'text'", rejects.Items[2].Reason);
        Assert.Contains("not a JSON object", rejects.Items[3].Reason);
        Assert.All(rejects.Items, r => Assert.Equal(path, r.File));
    }

    [Fact]
    public void Configurable_id_and_text_fields()
    {
        using var dir = new TempDir();
        var path = dir.File("in.jsonl");
        File.WriteAllText(path, "{\"doc_id\":\"x1\",\"content\":\"hello\"}\n");
        var docs = Read(path, new CollectingRejects(), new ReadOptions { IdField = "doc_id", TextField = "content" });
        Assert.Equal("x1", Assert.Single(docs).Id);
        Assert.Equal("hello", docs[0].Text);
    }

    [Fact]
    public void Truncated_gzip_keeps_every_complete_line_and_rejects_where_it_broke()
    {
        using var dir = new TempDir();
        var full = dir.File("full.jsonl.gz");
        using (var gz = new GZipStream(File.Create(full), CompressionLevel.Optimal))
        {
            var random = new Random(1);
            for (var i = 0; i < 5000; i++)
            {
                var noise = new string((char)('a' + random.Next(26)), 50) + random.Next();
                gz.Write(Encoding.UTF8.GetBytes($"{{\"id\":\"{i}\",\"text\":\"{noise}\"}}\n"));
            }
        }
        var bytes = File.ReadAllBytes(full);
        var cut = dir.File("cut.jsonl.gz");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);

        var rejects = new CollectingRejects();
        var docs = Read(cut, rejects);

        Assert.InRange(docs.Count, 100, 4999);
        Assert.Equal(Enumerable.Range(0, docs.Count).Select(i => i.ToString()), docs.Select(d => d.Id));
        var reject = Assert.Single(rejects.Items);
        Assert.Equal(cut, reject.File);
    }

    [Fact]
    public void Zstd_jsonl_is_read()
    {
        using var dir = new TempDir();
        var path = dir.File("in.jsonl.zst");
        using (var file = File.Create(path))
        using (var z = new ZstdSharp.CompressionStream(file))
            z.Write(Encoding.UTF8.GetBytes("{\"id\":\"z\",\"text\":\"zstd body\"}\n"));
        var docs = Read(path, new CollectingRejects());
        Assert.Equal("zstd body", Assert.Single(docs).Text);
    }

    [Fact]
    public void Empty_jsonl_gives_nothing_and_no_reject()
    {
        using var dir = new TempDir();
        var path = dir.File("empty.jsonl");
        File.WriteAllBytes(path, []);
        var rejects = new CollectingRejects();
        Assert.Empty(Read(path, rejects));
        Assert.Empty(rejects.Items);
    }

    [Fact]
    public void Zero_byte_and_corrupt_parquet_are_rejected_by_name()
    {
        using var dir = new TempDir();
        var empty = dir.File("empty.parquet");
        File.WriteAllBytes(empty, []);
        var corrupt = dir.File("corrupt.parquet");
        File.WriteAllBytes(corrupt, Encoding.ASCII.GetBytes("PAR1 this is not really parquet PAR1"));
        var rejects = new CollectingRejects();
        Assert.Empty(Read(empty, rejects));
        Assert.Empty(Read(corrupt, rejects));
        Assert.Equal([empty, corrupt], rejects.Items.Select(r => r.File));
        Assert.Contains("empty file", rejects.Items[0].Reason);
    }

    /// <summary>A 300-row shard in three row groups of 100, written by the product's writer.</summary>
    private static string WriteThreeRowGroups(TempDir dir, string name)
    {
        var path = dir.File(name);
        using var writer = new DocumentShardWriter(path, [ExtraColumn.Int64("n")], new ShardWriteOptions { RowGroupRows = 100 });
        var words = File.ReadAllText("/usr/share/common-licenses/GPL-3").Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < 300; i++)
        {
            var doc = new Document($"d{i}", string.Join(' ', Enumerable.Range(0, 80).Select(k => words[(i * 131 + k * 17) % words.Length])), "src", "{}");
            doc["n"] = (long)i;
            writer.Write(doc);
        }
        return path;
    }

    /// <summary>Where the text column's chunk of a row group lies in the file, from the footer.</summary>
    private static (long Start, long Length) TextChunk(string path, int rowGroup)
    {
        var reader = Parquet.ParquetReader.CreateAsync(path).GetAwaiter().GetResult();
        try
        {
            var chunk = reader.Metadata!.RowGroups[rowGroup].Columns.Single(c => c.MetaData!.PathInSchema.SequenceEqual(["text"])).MetaData!;
            var start = chunk.DictionaryPageOffset is > 0 and var d && d < chunk.DataPageOffset ? d : chunk.DataPageOffset;
            return (start, chunk.TotalCompressedSize);
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Fact]
    public void Corrupt_parquet_of_every_kind_is_a_named_reject_and_every_other_row_is_kept()
    {
        using var dir = new TempDir();
        var good = WriteThreeRowGroups(dir, "good.parquet");
        var bytes = File.ReadAllBytes(good);
        var footerLength = BitConverter.ToInt32(bytes, bytes.Length - 8);
        var (start, length) = TextChunk(good, 1);

        // Footer overwritten with garbage; magic bytes and footer length intact.
        var badFooter = dir.File("bad-footer.parquet");
        var b = (byte[])bytes.Clone();
        Array.Fill(b, (byte)0xFF, b.Length - 8 - footerLength, Math.Min(64, footerLength));
        File.WriteAllBytes(badFooter, b);
        // Row group 1's text pages overwritten (page header and compressed data).
        var badGroup = dir.File("bad-row-group.parquet");
        b = (byte[])bytes.Clone();
        for (var i = start; i < start + length; i++) b[i] = (byte)(i * 37);
        File.WriteAllBytes(badGroup, b);
        // A page truncated: half of row group 1's text chunk cut out, the footer kept (later offsets now point wrong).
        var truncated = dir.File("truncated-page.parquet");
        File.WriteAllBytes(truncated, [.. bytes.AsSpan(0, (int)(start + length / 4)), .. bytes.AsSpan((int)(start + 3 * length / 4))]);

        var rejects = new CollectingRejects();
        Assert.Equal(300, Read(good, rejects).Count);
        Assert.Empty(Read(badFooter, rejects));
        Assert.Contains("not a readable Parquet file (bad footer", Assert.Single(rejects.Items).Reason);

        rejects.Items.Clear();
        var kept = Read(badGroup, rejects);
        Assert.Equal([.. Enumerable.Range(0, 100), .. Enumerable.Range(200, 100)], kept.Select(d => (int)(long)d["n"]!));
        Assert.Equal("d250", kept[150].Id);
        var reject = Assert.Single(rejects.Items);
        Assert.Equal((badGroup, 101L, 100L), (reject.File, reject.Line, reject.Records));
        Assert.StartsWith("corrupt row group 1 (rows 101-200): column 'text'", reject.Reason);

        rejects.Items.Clear();
        kept = Read(truncated, rejects);
        Assert.Equal(Enumerable.Range(0, 100), kept.Take(100).Select(d => (int)(long)d["n"]!));
        Assert.Contains(rejects.Items, r => r.Reason.StartsWith("corrupt row group 1 (rows 101-200)"));
        Assert.Equal(300, kept.Count + rejects.Items.Sum(r => r.Records));

        // Under on_error: fail the same file is a named error at the first bad row.
        var failing = new ThrowingRejects();
        var error = Assert.Throws<BadInputException>(() => Read(badGroup, null!, failing));
        Assert.Contains($"bad input at {badGroup}:101: corrupt row group 1", error.Message);
    }

    [Fact]
    public void Parquet_with_wrong_column_types_is_rejected_with_the_types()
    {
        using var dir = new TempDir();
        var intText = dir.File("int-text.parquet");
        using (var file = new ParquetSharp.ParquetFileWriter(intText, [new ParquetSharp.Column<string>("id"), new ParquetSharp.Column<long>("text")]))
        {
            using var group = file.AppendRowGroup();
            using (var w = group.NextColumn().LogicalWriter<string>()) w.WriteBatch(["a", "b"]);
            using (var w = group.NextColumn().LogicalWriter<long>()) w.WriteBatch([1L, 2L]);
            file.Close();
        }
        var listId = dir.File("list-id.parquet");
        using (var file = new ParquetSharp.ParquetFileWriter(listId, [new ParquetSharp.Column<string>("text"), new ParquetSharp.Column<byte[]>("id")]))
        {
            using var group = file.AppendRowGroup();
            using (var w = group.NextColumn().LogicalWriter<string>()) w.WriteBatch(["x", "y"]);
            using (var w = group.NextColumn().LogicalWriter<byte[]>()) w.WriteBatch([[1], [2]]);
            file.Close();
        }
        var rejects = new CollectingRejects();
        Assert.Empty(Read(intText, rejects));
        Assert.Empty(Read(listId, rejects));
        Assert.Equal("text column 'text' has type Int64, not string", rejects.Items[0].Reason);
        Assert.StartsWith("id column 'id' has type binary;", rejects.Items[1].Reason);
        Assert.Equal([2L, 2L], rejects.Items.Select(r => r.Records));
    }

    /// <summary>
    /// Shards of flat string / long / int / double / bool columns are read through ParquetSharp (PlainParquetFile); what
    /// they yield must be what Parquet.Net reads from the same file: strings (invalid UTF-8 included), nulls, numeric
    /// ids as text, extra column values. Expected values come from Parquet.Net's own column reader.
    /// </summary>
    [Fact]
    public async Task Plain_parquet_read_through_ParquetSharp_gives_what_Parquet_Net_reads()
    {
        using var dir = new TempDir();
        var path = dir.File("plain.parquet");
        byte[][] texts = [Encoding.UTF8.GetBytes("a é 中文"), [0x61, 0xFF, 0xC3, 0x28, 0xED, 0xA0, 0x80], [], Encoding.UTF8.GetBytes("last")];
        bool[] textDefined = [true, true, false, true];
        long?[] ids = [5, null, -3, 7];
        double[] scores = [0.1, 2.5, -0.0, 1e300];
        bool?[] flags = [true, null, false, true];
        int[] small = [1, -2, 3, int.MaxValue];
        using (var schema = new ParquetSharp.Schema.GroupNode("schema", ParquetSharp.Repetition.Required,
            [
                new ParquetSharp.Schema.PrimitiveNode("id", ParquetSharp.Repetition.Optional, ParquetSharp.LogicalType.None(), ParquetSharp.PhysicalType.Int64),
                new ParquetSharp.Schema.PrimitiveNode("text", ParquetSharp.Repetition.Optional, ParquetSharp.LogicalType.String(), ParquetSharp.PhysicalType.ByteArray),
                new ParquetSharp.Schema.PrimitiveNode("score", ParquetSharp.Repetition.Required, ParquetSharp.LogicalType.None(), ParquetSharp.PhysicalType.Double),
                new ParquetSharp.Schema.PrimitiveNode("flag", ParquetSharp.Repetition.Optional, ParquetSharp.LogicalType.None(), ParquetSharp.PhysicalType.Boolean),
                new ParquetSharp.Schema.PrimitiveNode("small", ParquetSharp.Repetition.Required, ParquetSharp.LogicalType.None(), ParquetSharp.PhysicalType.Int32),
            ]))
        using (var properties = new ParquetSharp.WriterPropertiesBuilder().Compression(ParquetSharp.Compression.Zstd).Build())
        using (var file = new ParquetSharp.ParquetFileWriter(path, schema, properties))
        {
            for (var group = 0; group < 2; group++) // the same four rows twice, in two row groups
            {
                using var rowGroup = file.AppendRowGroup();
                using (var w = (ParquetSharp.ColumnWriter<long>)rowGroup.NextColumn())
                    w.WriteBatch(ids.Length, ids.Select(v => (short)(v is null ? 0 : 1)).ToArray(), null, ids.Where(v => v is not null).Select(v => v!.Value).ToArray());
                using (var w = (ParquetSharp.ColumnWriter<ParquetSharp.ByteArray>)rowGroup.NextColumn())
                {
                    var handles = texts.Select(t => System.Runtime.InteropServices.GCHandle.Alloc(t, System.Runtime.InteropServices.GCHandleType.Pinned)).ToList();
                    var values = texts.Select((t, i) => (t, i)).Where(x => textDefined[x.i])
                        .Select(x => new ParquetSharp.ByteArray(handles[x.i].AddrOfPinnedObject(), x.t.Length)).ToArray();
                    w.WriteBatch(texts.Length, textDefined.Select(d => (short)(d ? 1 : 0)).ToArray(), null, values);
                    handles.ForEach(h => h.Free());
                }
                using (var w = (ParquetSharp.ColumnWriter<double>)rowGroup.NextColumn()) w.WriteBatch(scores);
                using (var w = (ParquetSharp.ColumnWriter<bool>)rowGroup.NextColumn())
                    w.WriteBatch(flags.Length, flags.Select(v => (short)(v is null ? 0 : 1)).ToArray(), null, flags.Where(v => v is not null).Select(v => v!.Value).ToArray());
                using (var w = (ParquetSharp.ColumnWriter<int>)rowGroup.NextColumn()) w.WriteBatch(small);
            }
            file.Close();
        }

        // The reference: Parquet.Net's column reader on the same file.
        var expected = new List<(string? Id, string? Text, object? Score, object? Flag, object? Small)>();
        await using (var stream = File.OpenRead(path))
        await using (var reader = await Parquet.ParquetReader.CreateAsync(stream))
        {
            var fields = reader.Schema.DataFields;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var rowGroup = reader.OpenRowGroupReader(g);
                var n = (int)rowGroup.RowCount;
                var (idValues, textValues, scoreValues, flagValues, smallValues) = (new long?[n], new string?[n], new double[n], new bool?[n], new int[n]);
                await rowGroup.ReadAsync(fields[0], idValues.AsMemory());
                await rowGroup.ReadAsync(fields[1], textValues.AsMemory());
                await rowGroup.ReadAsync(fields[2], scoreValues.AsMemory());
                await rowGroup.ReadAsync(fields[3], flagValues.AsMemory());
                await rowGroup.ReadAsync(fields[4], smallValues.AsMemory());
                for (var r = 0; r < n; r++) expected.Add((idValues[r]?.ToString(), textValues[r], scoreValues[r], flagValues[r], smallValues[r]));
            }
        }
        Assert.Equal(8, expected.Count);
        Assert.Equal("a\uFFFD\uFFFD(\uFFFD\uFFFD\uFFFD", expected[1].Text); // Parquet.Net replaces invalid UTF-8 as Encoding.UTF8 does

        using (var plain = PlainParquetFile.TryOpen(path)) Assert.NotNull(plain); // the file takes the ParquetSharp path
        Assert.Equal(["score", "flag", "small"], ParquetDocumentReader.ExtraColumnsOf(path).Select(c => c.Name));
        Assert.Equal([typeof(double), typeof(bool), typeof(int)], ParquetDocumentReader.ExtraColumnsOf(path).Select(c => c.Type));
        var rejects = new CollectingRejects();
        var docs = Read(path, rejects);
        var kept = expected.Select((e, i) => (e, Row: i + 1)).Where(x => x.e.Text is not null).ToList();
        Assert.Equal(kept.Select(x => x.e.Text), docs.Select(d => d.Text));
        Assert.Equal(kept.Select(x => x.e.Id ?? $"plain:{x.Row}"), docs.Select(d => d.Id));
        Assert.Equal(kept.Select(x => x.e.Score), docs.Select(d => d["score"]));
        Assert.Equal(kept.Select(x => x.e.Flag), docs.Select(d => d["flag"]));
        Assert.Equal(kept.Select(x => x.e.Small), docs.Select(d => d["small"]));
        Assert.Equal(kept.Select(x => $"{path}#row{x.Row}"), docs.Select(d => d.Origin));
        Assert.Equal([3L, 7L], rejects.Items.Select(r => r.Line));
        Assert.All(rejects.Items, r => Assert.Equal("null value in text column 'text'", r.Reason));
    }

    private sealed class ThrowingRejects : IRejectSink
    {
        public void Reject(Reject reject) => throw new BadInputException(reject);
    }

    [Fact]
    public void Parquet_round_trip_carries_extra_columns()
    {
        using var dir = new TempDir();
        var path = dir.File("part.parquet");
        using (var writer = new DocumentShardWriter(path, [ExtraColumn.String("language"), ExtraColumn.Double("score"), ExtraColumn.Int64("cluster")],
                   new ShardWriteOptions { RowGroupRows = 3 }))
        {
            for (var i = 0; i < 10; i++)
            {
                var doc = new Document($"d{i}", $"text {i} é 中文", "src", "{\"k\":1}");
                doc["language"] = i % 2 == 0 ? "en" : null;
                doc["score"] = i / 10.0;
                doc["cluster"] = (long)i * 3;
                writer.Write(doc);
            }
        }
        Assert.Equal(3, ParquetDocumentReader.ExtraColumnsOf(path).Count);
        var docs = Read(path, new CollectingRejects());
        Assert.Equal(10, docs.Count);
        Assert.Equal("text 7 é 中文", docs[7].Text);
        Assert.Equal("{\"k\":1}", docs[7].Metadata);
        Assert.Equal("en", docs[4]["language"]);
        Assert.Null(docs[5]["language"]);
        Assert.Equal(0.7, (double)docs[7]["score"]!, 9);
        Assert.Equal(21L, docs[7]["cluster"]);
    }

    [Fact]
    public void Text_folder_gives_one_document_per_file_and_rejects_invalid_utf8()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("docs/sub"));
        File.WriteAllText(dir.File("docs/a.txt"), "alpha");
        File.WriteAllText(dir.File("docs/sub/b.md"), "beta");
        File.WriteAllBytes(dir.File("docs/sub/c.txt"), [0x61, 0xFF, 0x62]);
        var files = InputGlob.Expand([dir.File("docs")], dir.Path);
        var rejects = new CollectingRejects();
        var docs = files.SelectMany(f => Read(f, rejects)).ToList();
        Assert.Equal(["alpha", "beta"], docs.Select(d => d.Text));
        Assert.Contains("invalid UTF-8", Assert.Single(rejects.Items).Reason);
    }

    [Fact]
    public void Globs_expand_sorted_and_fail_loudly_when_empty()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("a/b"));
        foreach (var f in new[] { "a/x.jsonl", "a/b/y.jsonl", "a/z.parquet", "a/b/w.txt" }) File.WriteAllText(dir.File(f), "");
        Assert.Equal([dir.File("a/b/y.jsonl"), dir.File("a/x.jsonl")], InputGlob.Expand(["a/**/*.jsonl"], dir.Path));
        Assert.Equal([dir.File("a/x.jsonl"), dir.File("a/z.parquet")], InputGlob.Expand(["a/*.{jsonl,parquet}"], dir.Path));
        Directory.CreateDirectory(dir.File("a/_dataflow"));
        File.WriteAllText(dir.File("a/_dataflow/run.json"), "{}");
        File.WriteAllText(dir.File("a/b/keep.json"), "{}");
        Assert.DoesNotContain(dir.File("a/_dataflow/run.json"), InputGlob.Expand(["a"], dir.Path));
        Assert.DoesNotContain(dir.File("a/_dataflow/run.json"), InputGlob.Expand(["a/**/*.json"], dir.Path));
        var e = Assert.Throws<FileNotFoundException>(() => InputGlob.Expand(["nothing/*.jsonl"], dir.Path));
        Assert.Contains("nothing/*.jsonl", e.Message);
    }
}
