using System.Text.Json;
using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using DataFlow.Text.Web;

namespace DataFlow.Tests.Dedup;

/// <summary>URL dedup (<c>url: true</c>) on a hand-countable set: which document survives per URL, ties included.</summary>
public sealed class UrlDedupTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Theory]
    [InlineData("https://Example.COM/page/", "example.com/page")]
    [InlineData("http://example.com:80/page#top", "example.com/page")]
    [InlineData("https://example.com:443/page?utm_source=x&utm_medium=y", "example.com/page")]
    [InlineData("https://example.com/a/../page?fbclid=1&id=7&gclid=2", "example.com/page?id=7")]
    [InlineData("https://example.com:8080/", "example.com:8080")]
    [InlineData("https://www.example.com/", "www.example.com")]
    [InlineData("FTP://Example.com/file", "ftp://example.com/file")]
    [InlineData("https://bücher.example/x", "xn--bcher-kva.example/x")]
    [InlineData("  not a url  ", "not a url")]
    public void Normalization_follows_the_documented_rules(string url, string key) => Assert.Equal(key, UrlNormalizer.Normalize(url));

    /// <summary>
    /// f1: a1 (2024-01-01, 30 words), a2 (2024-03-01, 10 words), b1, c1 (no url); f2: a3 (2024-03-01, 60 words: ties
    /// a2 on date), a4 (2023-06-01, 20 words; /a/../page), b2 (another query), d1 (www host), c2 (no url).
    /// a1..a4 are one page; everything else is unique.
    /// </summary>
    private void WriteCorpus()
    {
        string Words(int n, int seed) => string.Join(' ', Enumerable.Range(0, n).Select(i => $"word{seed}x{i}"));
        Write("f1.jsonl",
        [
            new { id = "a1", text = Words(30, 1), url = "https://Example.com/page/", warc_date = "2024-01-01T00:00:00Z" },
            new { id = "a2", text = Words(10, 2), url = "http://example.com:80/page#top", warc_date = "2024-03-01T00:00:00Z" },
            new { id = "b1", text = Words(10, 3), url = "https://example.com/other", warc_date = "2024-01-01T00:00:00Z" },
            new { id = "c1", text = Words(10, 4), url = "", warc_date = "2024-05-01T00:00:00Z" },
        ]);
        Write("f2.jsonl",
        [
            new { id = "a3", text = Words(60, 5), url = "https://example.com/page?utm_source=feed", warc_date = "2024-03-01T00:00:00Z" },
            new { id = "a4", text = Words(20, 6), url = "https://EXAMPLE.com/a/../page", warc_date = "2023-06-01T00:00:00Z" },
            new { id = "b2", text = Words(10, 7), url = "https://example.com/other?id=2", warc_date = "2024-01-01T00:00:00Z" },
            new { id = "d1", text = Words(10, 8), url = "https://www.example.com/page", warc_date = "2024-01-01T00:00:00Z" },
            new { id = "c2", text = Words(10, 9), url = (string?)null, warc_date = "2024-05-01T00:00:00Z" },
        ]);
    }

    private void Write(string name, IEnumerable<object> docs) =>
        File.WriteAllLines(_tmp.File(name), docs.Select(d => JsonSerializer.Serialize(d)));

    private RunSession Session(string keys, string run = "run") => DedupSessions.FromKeys(_tmp, keys, run);

    private static List<Document> ReadShards(string dir) =>
        Directory.Exists(dir)
            ? Directory.GetFiles(dir, "part-*.parquet").Order(StringComparer.Ordinal)
                .SelectMany(f => ParquetDocumentReader.Read(f, ReadOptions.Default, new CollectingRejects())).ToList()
            : [];

    private (string[] Kept, string[] Removed) Run(string keys, string run = "run")
    {
        var session = Session(keys, run);
        new LocalExecutor(1).Run(session.Run, session.Pipeline, CancellationToken.None);
        var removed = ReadShards(Path.Combine(_tmp.File(run + "-out"), "removed"));
        Assert.All(removed, d => Assert.Equal("duplicate_url", d["reason"]));
        return (ReadShards(_tmp.File(run + "-out")).Select(d => d.Id).Order().ToArray(), removed.Select(d => d.Id).Order().ToArray());
    }

    // One task reads f1 then f2: input order is a1, a2, b1, c1, a3, a4, b2, d1, c2.
    private const string UrlOnly = "tasks: 1\nexact: false\nminhash: false\nurl: true";

    [Fact]
    public void Newest_warc_date_wins_and_a_tie_goes_to_the_earlier_document()
    {
        WriteCorpus();
        var (kept, removed) = Run(UrlOnly + "\nurl_priority: {column: warc_date, order: newest}");
        Assert.Equal(["a1", "a3", "a4"], removed);
        Assert.Equal(["a2", "b1", "b2", "c1", "c2", "d1"], kept);
    }

    [Fact]
    public void Across_tasks_one_document_per_url_survives()
    {
        WriteCorpus();
        var (kept, removed) = Run("tasks: 2\nexact: false\nminhash: false\nurl: true\nurl_priority: {column: warc_date, order: newest}");
        Assert.Equal(3, removed.Length);
        Assert.Single(kept, k => k is "a2" or "a3");   // the date tie goes to whichever the lower task read
        Assert.Equal(["b1", "b2", "c1", "c2", "d1"], kept.Where(k => k[0] != 'a').ToArray());
    }

    [Fact]
    public void Oldest_longest_and_first_pick_their_documents()
    {
        WriteCorpus();
        Assert.Equal(["a1", "a2", "a3"], Run(UrlOnly + "\nurl_priority: {column: warc_date, order: oldest}", "oldest").Removed);
        Assert.Equal(["a1", "a2", "a4"], Run(UrlOnly + "\nurl_priority: longest", "longest").Removed);
        Assert.Equal(["a2", "a3", "a4"], Run(UrlOnly, "first").Removed);
    }

    [Fact]
    public void Cli_flags_url_and_sentences_run_only_those_dedups()
    {
        WriteCorpus();
        var (code, _, stderr) = CliProcess.Run(_tmp.Path, "dedup", "-i", "f*.jsonl", "-o", "url-out", "--url", "--tasks", "1", "--keep-removed");
        Assert.True(code == 0, stderr);
        // First in input order survives; nothing else goes (exact and MinHash did not run: no near-duplicate reasons).
        Assert.Equal(["a2", "a3", "a4"], ReadShards(Path.Combine(_tmp.File("url-out"), "removed")).Select(d => d.Id).Order().ToArray());
        (code, _, stderr) = CliProcess.Run(_tmp.Path, "dedup", "-i", "f*.jsonl", "-o", "sent-out", "--sentences", "3", "--tasks", "1");
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(Path.Combine(_tmp.File("sent-out"), "_dataflow", "stages", "dedup.spans", "stats.json")));
        Assert.False(Directory.Exists(Path.Combine(_tmp.File("sent-out"), "_dataflow", "stages", "dedup.clusters")));
        Assert.Equal(9, ReadShards(_tmp.File("sent-out")).Count);
    }

    [Fact]
    public void Url_priority_without_url_or_against_keep_is_a_config_error_naming_the_key()
    {
        WriteCorpus();
        var e = Assert.Throws<ConfigException>(() => Session("url_priority: longest"));
        Assert.Contains("url_priority", e.Message);
        Assert.Contains("run.yaml:", e.Message);
        e = Assert.Throws<ConfigException>(() => Session("url: true\nkeep: first\nurl_priority: longest", "two"));
        Assert.Contains("disagree", e.Message);
        e = Assert.Throws<ConfigException>(() => Session("url: true\nurl_priority: {column: warc_date, order: sideways}", "bad"));
        Assert.Contains("order", e.Message);
    }
}
