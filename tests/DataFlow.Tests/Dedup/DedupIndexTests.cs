using System.IO.Compression;
using System.Text.Json;
using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;
using DataFlow.Jobs;
using DataFlow.Jobs.Dedup;

namespace DataFlow.Tests.Dedup;

/// <summary>
/// Incremental dedup (<c>write_index</c>, <c>against</c>) on the man-page fixture (132 pages in 22 languages, from
/// Debian's manpages-* packages) cut into batches, with copies planted inside and across batches. The references:
/// one run over all batches together (what the issue asks incremental runs to equal) and the hand list of planted copies.
/// </summary>
public sealed class DedupIndexTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private sealed record Doc(string Id, string Text);

    private static List<Doc> Fixture()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "langid-manpages.jsonl.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        var docs = new List<Doc>();
        while (reader.ReadLine() is { } line)
        {
            using var json = JsonDocument.Parse(line);
            docs.Add(new Doc(json.RootElement.GetProperty("id").GetString()!, json.RootElement.GetProperty("text").GetString()!));
        }
        return docs;
    }

    /// <summary>A copy of <paramref name="doc"/> with one word in <paramref name="every"/> replaced (a near copy), under a new id.</summary>
    private static Doc Near(Doc doc, string id, int every = 120)
    {
        var words = doc.Text.Split(' ');
        var seen = 0;
        for (var i = 0; i < words.Length; i++)
            if (words[i].Length > 0 && ++seen % every == 0) words[i] = "zqxj" + i;
        return new Doc(id, string.Join(' ', words));
    }

    /// <summary>
    /// The pages with no near copy among those before them (word 5-gram Jaccard below 0.3, brute force over every
    /// pair), so that every removal is a planted one: the fixture has a few, such as nl/base32.1 and nl/base64.1.
    /// </summary>
    private static List<Doc> Distinct(List<Doc> pages)
    {
        static HashSet<string> Shingles(string text)
        {
            var words = System.Text.RegularExpressions.Regex.Split(text.ToLowerInvariant(), @"[^\p{L}\p{M}]+").Where(w => w.Length > 0).ToArray();
            return Enumerable.Range(0, Math.Max(1, words.Length - 4)).Select(i => string.Join(' ', words.Skip(i).Take(5))).ToHashSet();
        }
        var kept = new List<(Doc Doc, HashSet<string> Set)>();
        foreach (var page in pages)
        {
            var set = Shingles(page.Text);
            if (kept.All(k => (double)k.Set.Intersect(set).Count() / k.Set.Union(set).Count() < 0.3)) kept.Add((page, set));
        }
        Assert.True(kept.Count > 120, $"{kept.Count} distinct pages");
        return kept.Select(k => k.Doc).ToList();
    }

    private static bool Spaced(Doc d) => !d.Id.StartsWith("ja/", StringComparison.Ordinal) && !d.Id.StartsWith("zh_CN/", StringComparison.Ordinal);

    /// <summary>
    /// Batches A, B, C of distinct pages (every third page), then planted copies. A: an exact and a near copy of its
    /// own pages. B: exact and near copies of A pages, a near copy of A's removed near copy, its own exact and near
    /// copy. C: copies of A and B pages (B's removed copies included) and its own. Returns the planted copies by batch
    /// and whether each is exact.
    /// </summary>
    private Dictionary<string, List<(Doc Doc, bool Exact)>> WriteBatches()
    {
        var pages = Distinct(Fixture());
        var batch = new Dictionary<string, List<Doc>>
        {
            ["a"] = pages.Where((_, i) => i % 3 == 0).ToList(),
            ["b"] = pages.Where((_, i) => i % 3 == 1).ToList(),
            ["c"] = pages.Where((_, i) => i % 3 == 2).ToList(),
        };
        Doc Pick(string b, int n) => batch[b].Where(Spaced).ElementAt(n);
        var aNear = Near(Pick("a", 1), "A-near-of-a1");
        var bNear = Near(Pick("a", 4), "B-near-of-a4", 90);
        var planted = new Dictionary<string, List<(Doc Doc, bool Exact)>>
        {
            ["a"] = [(Pick("a", 0) with { Id = "A-copy-of-a0" }, true), (aNear, false)],
            ["b"] =
            [
                (Pick("a", 2) with { Id = "B-copy-of-a2" }, true),
                (Pick("a", 3) with { Id = "B-copy-of-a3" }, true),
                (bNear, false),
                (Near(Pick("a", 5), "B-near-of-a5", 150), false),
                (Near(aNear, "B-near-of-A-near", 100), false),
                (aNear with { Id = "B-copy-of-A-near" }, true),
                (Pick("b", 0) with { Id = "B-copy-of-b0" }, true),
                (Near(Pick("b", 1), "B-near-of-b1"), false),
            ],
            ["c"] =
            [
                (Pick("a", 6) with { Id = "C-copy-of-a6" }, true),
                (Near(Pick("b", 2), "C-near-of-b2"), false),
                (bNear with { Id = "C-copy-of-B-near" }, true),
                (Near(Pick("c", 0), "C-near-of-c0"), false),
            ],
        };
        foreach (var (name, docs) in batch)
        {
            // Two files per batch, the first the larger, so that a two-task run reads them in the order a one-task run does.
            var all = docs.Concat(planted[name].Select(p => p.Doc)).ToList();
            var half = all.Count * 2 / 3;
            Write($"{name}1.jsonl", all.Take(half));
            Write($"{name}2.jsonl", all.Skip(half));
            Assert.True(new FileInfo(_tmp.File($"{name}1.jsonl")).Length > new FileInfo(_tmp.File($"{name}2.jsonl")).Length);
        }
        return planted;
    }

    private void Write(string name, IEnumerable<Doc> docs) =>
        File.WriteAllLines(_tmp.File(name), docs.Select(d => JsonSerializer.Serialize(new { id = d.Id, text = d.Text })));

    private string Yaml(string run, IEnumerable<string> inputs, string keys) => $"""
        workers: 1
        stages:
          - type: dedup
            input: [{string.Join(", ", inputs.Select(i => $"'{_tmp.File(i)}'"))}]
            output: '{_tmp.File(run + "-out")}'
            keep_removed: true
        {string.Join('\n', keys.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "    " + l.Trim()))}
        """;

    private RunSession Session(string run, IEnumerable<string> inputs, string keys)
    {
        var file = _tmp.File(run + ".yaml");
        File.WriteAllText(file, Yaml(run, inputs, keys));
        return RunSession.Create(file, _tmp.File(run));
    }

    /// <summary>Runs one dedup; returns the ids it kept and removed.</summary>
    private (HashSet<string> Kept, HashSet<string> Removed, RunSession Session) Dedup(string run, IEnumerable<string> inputs, string keys)
    {
        var session = Session(run, inputs, keys);
        new LocalExecutor(1).Run(session.Run, session.Pipeline, CancellationToken.None);
        var outDir = _tmp.File(run + "-out");
        return (Ids(outDir), Ids(Path.Combine(outDir, "removed")), session);
    }

    private static HashSet<string> Ids(string dir) =>
        Directory.GetFiles(dir, "part-*.parquet").SelectMany(f => ParquetDocumentReader.Read(f, ReadOptions.Default, new CollectingRejects()))
            .Select(d => d.Id).ToHashSet();

    private string Folder(string name) => _tmp.File(name);

    [Theory]
    [InlineData("", true)] // exact + MinHash, verified (the defaults)
    [InlineData("minhash: false", false)]
    [InlineData("exact: false\nverify_threshold: 0", true)]
    [InlineData("buckets_per_band: 3\nmax_buffered_records: 50", true)] // more partitions, many sorted runs per file
    public void Batches_run_against_earlier_indexes_remove_exactly_what_one_run_over_all_removes(string keys, bool near)
    {
        var planted = WriteBatches();
        var a = Dedup("a", ["a1.jsonl", "a2.jsonl"], $"tasks: 2\nwrite_index: '{Folder("index-a")}'\n{keys}");
        var b = Dedup("b", ["b1.jsonl", "b2.jsonl"], $"tasks: 2\nwrite_index: '{Folder("index-b")}'\nagainst: '{Folder("index-a")}'\n{keys}");
        var c = Dedup("c", ["c1.jsonl", "c2.jsonl"], $"tasks: 2\nagainst: ['{Folder("index-a")}', '{Folder("index-b")}']\n{keys}");
        var ab = Dedup("ab", ["a1.jsonl", "a2.jsonl", "b1.jsonl", "b2.jsonl"], $"tasks: 1\n{keys}");
        var abc = Dedup("abc", ["a1.jsonl", "a2.jsonl", "b1.jsonl", "b2.jsonl", "c1.jsonl", "c2.jsonl"], $"tasks: 1\n{keys}");

        var bIds = b.Kept.Union(b.Removed).ToHashSet();
        var cIds = c.Kept.Union(c.Removed).ToHashSet();
        Assert.Equal(ab.Removed.Intersect(bIds).Order(), b.Removed.Order());
        Assert.Equal(ab.Kept.Intersect(bIds).Order(), b.Kept.Order());
        Assert.Equal(abc.Removed.Intersect(cIds).Order(), c.Removed.Order());
        Assert.Equal(abc.Removed.Intersect(bIds).Order(), b.Removed.Order());
        Assert.Equal(abc.Removed.Intersect(a.Kept.Union(a.Removed)).Order(), a.Removed.Order());

        // The hand count: exactly the planted copies are removed (only the exact ones without MinHash), nothing else.
        foreach (var (run, name) in new[] { (a, "a"), (b, "b"), (c, "c") })
            Assert.Equal(planted[name].Where(p => near || p.Exact).Select(p => p.Doc.Id).Order(), run.Removed.Order());
        Assert.NotEmpty(b.Removed);

        var bClusters = TaskStats.Load(b.Session.Run.StageStatsFile("dedup.clusters"));
        var fromA = planted["b"].Count(p => (near || p.Exact) && !p.Doc.Id.Contains("-of-b", StringComparison.Ordinal));
        Assert.Equal(fromA, bClusters.Counter("removed_as_indexed_duplicate"));
        var index = TaskStats.Load(a.Session.Run.StageStatsFile("dedup.index"));
        Assert.Equal(a.Kept.Count + a.Removed.Count, index.Counter("docs_indexed"));
        var part0 = DedupIndexPart.Load(Path.Combine(Folder("index-b"), "part-00000.json"));
        Assert.Equal(2, part0.Parts);
        Assert.Equal([Folder("index-a")], part0.Against);
    }

    [Fact]
    public void A_document_that_duplicates_an_indexed_one_is_removed_even_when_the_keep_policy_prefers_it()
    {
        var pages = Fixture().Where(Spaced).ToList();
        Write("old.jsonl", pages.Take(10));
        var longer = pages[3] with { Id = "longer-copy-of-3", Text = pages[3].Text + " and a few words added at the end" };
        var shortNew = pages[20];
        var longNew = pages[20] with { Id = "longer-20", Text = pages[20].Text + " extra words here" };
        Write("new.jsonl", [shortNew, longer, longNew, pages[21]]);
        Dedup("old", ["old.jsonl"], $"write_index: '{Folder("index")}'\nkeep: longest");
        var run = Dedup("new", ["new.jsonl"], $"against: '{Folder("index")}'\nkeep: longest");
        Assert.Equal(["longer-copy-of-3", pages[20].Id], run.Removed.Order());
        Assert.Equal(["longer-20", pages[21].Id], run.Kept.Order());
    }

    private void WriteSmallIndex(string keys = "")
    {
        var pages = Fixture().Where(Spaced).ToList();
        Write("old1.jsonl", pages.Take(12));
        Write("old2.jsonl", pages.Skip(12).Take(6));
        Write("new.jsonl", [pages[2] with { Id = "copy-2" }, Near(pages[14], "near-14"), pages[40]]);
        Dedup("old", ["old1.jsonl", "old2.jsonl"], $"tasks: 2\nwrite_index: '{Folder("index")}'\n{keys}");
    }

    private Pipeline LoadAgainst(string keys) => PipelineLoader.Load(Yaml("new", ["new.jsonl"], $"against: '{Folder("index")}'\n{keys}"), "p.yaml", StandardStages.Create(), _tmp.Path);

    [Theory]
    [InlineData("seed: 2", "seed")]
    [InlineData("bands: 16\nrows: 7", "bands")]
    [InlineData("rows: 4", "rows")]
    [InlineData("ngram: 4", "ngram")]
    [InlineData("char_ngram: 3", "char_ngram")]
    [InlineData("cjk_share: 0.5", "cjk_share")]
    [InlineData("exact: normalized", "exact")]
    [InlineData("minhash: false", "minhash")]
    [InlineData("verify_threshold: 0", "verify_threshold")]
    [InlineData("buckets_per_band: 2", "buckets_per_band")]
    [InlineData("url: true", "url")]
    public void A_changed_configuration_is_an_error_naming_the_folder_and_the_key(string keys, string key)
    {
        WriteSmallIndex();
        var e = Assert.Throws<ConfigException>(() => LoadAgainst(keys));
        Assert.Contains("p.yaml:", e.Message);
        Assert.Contains(Folder("index"), e.Message);
        Assert.Contains($"{key} is ", e.Message);
        // The same settings load, and the verify threshold itself may change as long as signatures are kept.
        LoadAgainst("verify_threshold: 0.8");
    }

    [Fact]
    public void An_index_with_url_records_read_without_url_dedup_or_another_url_field_is_an_error_naming_the_key()
    {
        WriteSmallIndex("url: true");
        var e = Assert.Throws<ConfigException>(() => LoadAgainst(""));
        Assert.Contains(Folder("index"), e.Message);
        Assert.Contains("url is true in the index, false in this run", e.Message);
        e = Assert.Throws<ConfigException>(() => LoadAgainst("url: true\nurl_field: link"));
        Assert.Contains("url_field is url in the index, link in this run", e.Message);
        LoadAgainst("url: true");
    }

    private void WriteUrls(string name, IEnumerable<(Doc Doc, string Url, string Date)> docs) =>
        File.WriteAllLines(_tmp.File(name), docs.Select(d => JsonSerializer.Serialize(new { id = d.Doc.Id, text = d.Doc.Text, url = d.Url, warc_date = d.Date })));

    [Fact]
    public void Url_records_are_indexed_and_an_indexed_url_wins_over_a_newer_recrawl()
    {
        var pages = Distinct(Fixture()).Where(Spaced).ToList();
        WriteUrls("old.jsonl", [(pages[0], "https://example.com/a", "2024-01-01T00:00:00Z"), (pages[1], "https://example.com/b", "2024-01-01T00:00:00Z")]);
        WriteUrls("new.jsonl",
        [
            (pages[10] with { Id = "recrawl-a" }, "http://Example.com/a/?utm_source=x", "2025-01-01T00:00:00Z"),
            (pages[11] with { Id = "c-old" }, "https://example.com/c", "2024-06-01T00:00:00Z"),
            (pages[12] with { Id = "c-new" }, "https://example.com/c#top", "2025-06-01T00:00:00Z"),
            (pages[1] with { Id = "copy-of-b" }, "https://example.com/other", "2025-01-01T00:00:00Z"),
        ]);
        const string keys = "url: true\nurl_priority: {column: warc_date, order: newest}";
        var old = Dedup("old", ["old.jsonl"], $"write_index: '{Folder("index")}'\n{keys}");
        Assert.Empty(old.Removed);
        var run = Dedup("new", ["new.jsonl"], $"against: '{Folder("index")}'\n{keys}");
        // Newest wins inside the batch (c-new), but not over a published page: the indexed one stays, the recrawl goes.
        Assert.Equal(["c-old", "copy-of-b", "recrawl-a"], run.Removed.Order());
        Assert.Equal(["c-new"], run.Kept.Order());
        var reasons = Directory.GetFiles(Path.Combine(_tmp.File("new-out"), "removed"), "part-*.parquet")
            .SelectMany(f => ParquetDocumentReader.Read(f, ReadOptions.Default, new CollectingRejects())).ToDictionary(d => d.Id, d => d["reason"]);
        Assert.Equal("duplicate_url", reasons["recrawl-a"]);
        Assert.Equal("duplicate_url", reasons["c-old"]);
        Assert.Equal("duplicate_exact", reasons["copy-of-b"]);
        Assert.Equal(2, TaskStats.Load(run.Session.Run.StageStatsFile("dedup.clusters")).Counter("removed_as_indexed_duplicate"));
    }

    [Fact]
    public void With_sentences_the_index_covers_the_document_level_part_and_spans_are_deduplicated_within_the_run()
    {
        var pages = Distinct(Fixture()).Where(Spaced).ToList();
        // Four sentences, so that the first three make a run of their own whatever case the page starts in.
        const string boiler = "Boiler plate one is here. Boiler plate two is here. Boiler plate three is here. Boiler plate four is here. ";
        Write("old.jsonl", [.. pages.Take(5), pages[5] with { Text = boiler + pages[5].Text }]);
        Write("new.jsonl", [pages[2] with { Id = "copy-2" }, pages[30] with { Id = "first", Text = boiler + pages[30].Text }, pages[31] with { Id = "second", Text = boiler + pages[31].Text }]);
        Dedup("old", ["old.jsonl"], $"write_index: '{Folder("index")}'");
        var run = Dedup("new", ["new.jsonl"], $"sentences: 3\nagainst: '{Folder("index")}'\nwrite_index: '{Folder("index-new")}'");
        Assert.Equal(["dedup.signatures", "dedup.buckets", "dedup.clusters", "dedup.index", "dedup.documents", "dedup.sentences", "dedup.spans", "dedup"],
            run.Session.Pipeline.Stages.Select(st => st.Name).ToArray());
        // The document filter removed the indexed copy (copy-2); the spans are cut from the second new document only
        // (the old document that holds them is not indexed at the sentence level).
        Assert.Equal(1, TaskStats.Load(run.Session.Run.StageStatsFile("dedup.clusters")).Counter("removed_as_indexed_duplicate"));
        Assert.Equal(1, TaskStats.Load(run.Session.Run.StageStatsFile("dedup.documents")).Counter("dropped.duplicate_exact"));
        var kept = Directory.GetFiles(_tmp.File("new-out"), "part-*.parquet")
            .SelectMany(f => ParquetDocumentReader.Read(f, ReadOptions.Default, new CollectingRejects())).ToDictionary(d => d.Id, d => d.Text);
        Assert.Equal(["first", "second"], kept.Keys.Order());
        Assert.StartsWith("Boiler plate one", kept["first"]);
        Assert.DoesNotContain("Boiler plate one", kept["second"]);
        Assert.Equal(3, DedupIndexPart.Load(Path.Combine(Folder("index-new"), "part-00000.json")).Documents);
    }

    [Theory]
    [InlineData("write_index")]
    [InlineData("against")]
    public void Sentence_dedup_alone_with_an_index_is_a_config_error_naming_the_key(string key)
    {
        WriteSmallIndex();
        var e = Assert.Throws<ConfigException>(() => PipelineLoader.Load(
            Yaml("new", ["new.jsonl"], $"exact: false\nminhash: false\nsentences: 3\n{key}: '{Folder(key == "against" ? "index" : "index-new")}'"),
            "p.yaml", StandardStages.Create(), _tmp.Path));
        Assert.Contains(key, e.Message);
        Assert.Contains("sentence spans are not indexed", e.Message);
    }

    [Fact]
    public void An_index_of_another_fingerprint_version_is_an_error()
    {
        WriteSmallIndex();
        var manifest = Path.Combine(Folder("index"), "part-00001.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"fingerprint_version\": 1", "\"fingerprint_version\": 0"));
        var e = Assert.Throws<ConfigException>(() => LoadAgainst(""));
        Assert.Contains(manifest, e.Message);
    }

    [Fact]
    public void A_truncated_or_replaced_index_file_is_an_error_naming_it_before_anything_runs()
    {
        WriteSmallIndex();
        var file = Path.Combine(Folder("index"), "part-00001-p0003.bin");
        using (var s = new FileStream(file, FileMode.Open)) s.SetLength(s.Length - 16);
        var e = Assert.Throws<ConfigException>(() => LoadAgainst(""));
        Assert.Contains(file, e.Message);

        // A whole record file of another part put in its place (valid on its own) is caught by its checksum.
        File.Copy(Path.Combine(Folder("index"), "part-00000-p0003.bin"), file, overwrite: true);
        e = Assert.Throws<ConfigException>(() => LoadAgainst(""));
        Assert.Contains(file, e.Message);
    }

    [Fact]
    public void A_missing_or_extra_part_is_an_error_naming_the_folder_and_the_part()
    {
        WriteSmallIndex();
        File.Delete(Path.Combine(Folder("index"), "part-00001.json"));
        var e = Assert.Throws<ConfigException>(() => LoadAgainst(""));
        Assert.Contains(Folder("index"), e.Message);
        Assert.Contains("part-00001.json is missing", e.Message);

        // A part beyond the count: two indexes written into one folder.
        File.Copy(Path.Combine(Folder("index"), "part-00000.json"), Path.Combine(Folder("index"), "part-00001.json"));
        File.Copy(Path.Combine(Folder("index"), "part-00000.json"), Path.Combine(Folder("index"), "part-00002.json"));
        e = Assert.Throws<ConfigException>(() => LoadAgainst(""));
        Assert.Contains("part-00002.json is there too", e.Message);
    }

    [Theory]
    [InlineData("part-00000-p0002.bin", "dedup.buckets")]
    [InlineData("part-00001-p0014.bin", "dedup.buckets")] // exact records
    [InlineData("minhash-00000.bin", "dedup.clusters")]
    public void A_flipped_byte_in_an_index_fails_the_task_that_reads_it_naming_the_file(string name, string stage)
    {
        WriteSmallIndex();
        var file = Path.Combine(Folder("index"), name);
        var bytes = File.ReadAllBytes(file);
        bytes[RecordFileFormat.HeaderSize + 3] ^= 0x10;
        File.WriteAllBytes(file, bytes);
        var session = Session("new", ["new.jsonl"], $"against: '{Folder("index")}'");
        var e = Assert.Throws<TaskFailedException>(() => new LocalExecutor(1).Run(session.Run, session.Pipeline, CancellationToken.None));
        Assert.Equal(stage, e.Stage);
        Assert.Contains(file, e.Message);
    }

    [Fact]
    public void Plan_estimates_the_index_as_a_copy_of_the_band_exact_and_signature_records()
    {
        var stages = new DedupCapacity(new DedupOptions { WriteIndex = "/idx" }, 1_000_000, 4000, 4, 0.2).Stages();
        Assert.Equal(["signatures", "buckets", "clusters", "index", "filter"], stages.Select(s => s.Stage).ToArray());
        var index = stages.Single(s => s.Stage == "index");
        // Per document, by hand: 14 band records of 16 B, one exact record of 24 B, the signature (2 + 112 words of 4 B).
        Assert.Equal(1_000_000L * (14 * 16 + 24 + (2 + 112) * 4), index.DiskBytes);
        Assert.Equal(4 * (15 + 2), index.Files);
    }

    [Fact]
    public void Cli_writes_an_index_and_dedups_a_later_batch_against_it()
    {
        WriteSmallIndex();
        var index2 = Folder("cli-index");
        var first = CliProcess.Run(_tmp.Path, "dedup", "-i", "old1.jsonl", "-i", "old2.jsonl", "-o", "cli-old", "--tasks", "2", "--write-index", "cli-index");
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.True(File.Exists(Path.Combine(index2, "part-00001.json")));
        var second = CliProcess.Run(_tmp.Path, "dedup", "-i", "new.jsonl", "-o", "cli-new", "--against", "cli-index", "--against", Folder("index"), "--keep-removed");
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Equal(["copy-2", "near-14"], Ids(Path.Combine(_tmp.Path, "cli-new", "removed")).Order());

        var bad = CliProcess.Run(_tmp.Path, "dedup", "-i", "new.jsonl", "-o", "cli-bad", "--against", "cli-index", "--minhash");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("exact is written in the index, false in this run", bad.Stderr);
    }
}
