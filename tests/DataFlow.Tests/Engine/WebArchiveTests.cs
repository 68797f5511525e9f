using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Documents.Web;

namespace DataFlow.Tests.Engine;

/// <summary>
/// Web archives written by a real WARC writer: scripts/make-web-fixtures.sh serves Debian's python3-doc pages on
/// 127.0.0.1 and fetches them with <c>wget --warc-file</c>. The reference for every page is the HTML file the server
/// sent, read from disk.
/// </summary>
public sealed class WebArchiveFixture : IDisposable
{
    public const int Pages = 12;
    private readonly TempDir _dir = new();

    public WebArchiveFixture()
    {
        var root = AppContext.BaseDirectory;
        while (!System.IO.File.Exists(Path.Combine(root, "DataFlow.sln"))) root = Path.GetDirectoryName(root)!;
        using var script = Process.Start(new ProcessStartInfo("bash", [Path.Combine(root, "scripts", "make-web-fixtures.sh"), _dir.Path, Pages.ToString()])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var stderr = script.StandardError.ReadToEndAsync();
        script.StandardOutput.ReadToEnd();
        script.WaitForExit();
        if (script.ExitCode != 0) throw new InvalidOperationException($"scripts/make-web-fixtures.sh failed (needs wget and python3-doc): {stderr.Result}");
        PagesTsv = System.IO.File.ReadAllLines(File("pages.tsv")).Select(l => l.Split('\t')).Select(f => (Url: f[0], Html: f[1], Source: f[2])).ToList();
    }

    public IReadOnlyList<(string Url, string Html, string Source)> PagesTsv { get; }
    public string File(string name) => _dir.File(name);
    public void Dispose() => _dir.Dispose();
}

public class WebArchiveTests(WebArchiveFixture fixture) : IClassFixture<WebArchiveFixture>
{
    private static List<Document> Read(string path, CollectingRejects rejects) =>
        DocumentSources.Read(path, ReadOptions.Default, rejects).ToList();

    [Theory]
    [InlineData("python-docs.warc.gz")]
    [InlineData("python-docs.warc")]
    [InlineData("whole-file.warc.gz")]
    [InlineData("python-docs.arc.gz")]
    public void Every_page_is_a_document_with_the_bytes_the_server_sent_and_every_other_record_a_named_reject(string name)
    {
        var path = fixture.File(name);
        Assert.Equal(InputFormat.Warc, DocumentSources.FormatOf(path));
        var rejects = new CollectingRejects();
        var docs = Read(path, rejects);

        Assert.Equal(fixture.PagesTsv.Select(p => p.Url), docs.Select(d => (string?)d["url"]));
        for (var i = 0; i < docs.Count; i++)
        {
            Assert.Equal(File.ReadAllText(fixture.PagesTsv[i].Html, Encoding.UTF8), docs[i].Text);
            Assert.Equal(200L, docs[i]["http_status"]);
            Assert.Equal("utf-8", docs[i]["charset"]);
            Assert.StartsWith("text/html", (string)docs[i]["content_type"]!);
            Assert.Equal("response", docs[i]["warc_type"]);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string)docs[i]["warc_date"]!);
        }
        if (!name.Contains(".arc"))
        {
            Assert.All(docs, d => Assert.Matches("^urn:uuid:[0-9a-f-]{36}$", d.Id));
            Assert.Equal(docs.Count, docs.Select(d => d.Id).Distinct().Count());
        }
        // The 404, the stylesheet and the image, by reason, with their URLs; wget's request, metadata and warcinfo records are passed over.
        Assert.Equal(["HTTP status 404", "content type text/css is not one of text/html, application/xhtml+xml",
            "content type image/svg+xml is not one of text/html, application/xhtml+xml"], rejects.Items.Select(r => r.Reason));
        Assert.EndsWith("/library/no-such-page.html", rejects.Items[0].Excerpt);
        Assert.All(rejects.Items, r => Assert.Equal(path, r.File));
    }

    [Fact]
    public void Wet_conversion_records_are_documents_holding_their_text()
    {
        var rejects = new CollectingRejects();
        var docs = Read(fixture.File("python-docs.warc.wet.gz"), rejects);
        Assert.Empty(rejects.Items);
        Assert.Equal(fixture.PagesTsv.Select(p => p.Url), docs.Select(d => (string?)d["url"]));
        for (var i = 0; i < docs.Count; i++) Assert.Equal(File.ReadAllText(fixture.PagesTsv[i].Source), docs[i].Text);
        Assert.All(docs, d => Assert.Equal(("conversion", (object?)null), ((string)d["warc_type"]!, d["http_status"])));
    }

    [Fact]
    public void A_truncated_archive_keeps_every_whole_record_before_the_break()
    {
        var rejects = new CollectingRejects();
        var docs = Read(fixture.File("truncated.warc.gz"), rejects);
        Assert.InRange(docs.Count, 1, WebArchiveFixture.Pages - 1);
        for (var i = 0; i < docs.Count; i++) Assert.Equal(File.ReadAllText(fixture.PagesTsv[i].Html), docs[i].Text);
        var reject = Assert.Single(rejects.Items);
        Assert.Matches("^(truncated record: file ends|compressed stream is truncated)", reject.Reason);
    }

    [Fact]
    public void A_malformed_header_costs_its_record_only()
    {
        var path = fixture.File("bad-header.warc");
        var rejects = new CollectingRejects();
        var docs = Read(path, rejects);
        // The script spoiled the Content-Length of the 3rd response record, i.e. the third page.
        Assert.Equal(fixture.PagesTsv.Where((_, i) => i != 2).Select(p => p.Url), docs.Select(d => (string?)d["url"]));
        var bad = rejects.Items[0];
        Assert.StartsWith("bad Content-Length 'x", bad.Reason);
        Assert.Equal(4, rejects.Items.Count);

        Assert.Throws<BadInputException>(() => DocumentSources.Read(path, ReadOptions.Default, new FailingRejects()).ToList());
    }

    [Fact]
    public void Ingest_reads_a_glob_of_archives_and_writes_the_web_columns()
    {
        using var dir = new TempDir();
        var (code, stdout, stderr) = CliProcess.Run(dir.Path, "ingest", "--input", fixture.File("*.warc.gz"), "--output", dir.File("out"));
        Assert.True(code == 0, stdout + stderr);
        var docs = Directory.GetFiles(dir.File("out"), "*.parquet").Order().SelectMany(f => Read(f, new CollectingRejects())).ToList();
        // python-docs, whole-file, and the truncated file's whole records.
        Assert.InRange(docs.Count, 2 * WebArchiveFixture.Pages + 1, 3 * WebArchiveFixture.Pages - 1);
        Assert.All(docs, d => Assert.StartsWith("http://127.0.0.1:", (string)d["url"]!));
        Assert.All(docs, d => Assert.Equal(200L, d["http_status"]));
    }

    [Fact]
    public void Http_bodies_are_dechunked_and_decompressed()
    {
        var body = Encoding.UTF8.GetBytes("<html><body>café</body></html>");
        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true)) z.Write(body);
        var compressed = gz.ToArray();
        // RFC 9112 7.1 chunked coding of the gzip bytes in two chunks, with a chunk extension.
        var head = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n");
        var split = compressed.Length / 2;
        var message = head
            .Concat(Encoding.ASCII.GetBytes($"{split:x};ext=1\r\n")).Concat(compressed[..split]).Concat("\r\n"u8.ToArray())
            .Concat(Encoding.ASCII.GetBytes($"{compressed.Length - split:X}\r\n")).Concat(compressed[split..]).Concat("\r\n0\r\n\r\n"u8.ToArray())
            .ToArray();
        var response = HttpResponse.Parse(message);
        Assert.Equal(200, response.Status);
        Assert.Equal(body, response.Body);
        Assert.Throws<InvalidDataException>(() => HttpResponse.Parse("HTTP/1.1 OK\r\n\r\n"u8.ToArray()));
    }

    [Theory]
    // WHATWG encoding sniffing order: BOM, then the HTTP charset, then <meta>, then the bytes.
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, 0x63, 0x61, 0x66, 0xC3, 0xA9 }, "text/html; charset=windows-1252", "café", "utf-8", "bom")]
    [InlineData(new byte[] { 0x63, 0x61, 0x66, 0xE9 }, "text/html; charset=ISO-8859-1", "café", "windows-1252", "http")]
    [InlineData(new byte[] { 0x63, 0x61, 0x66, 0xE9 }, "text/html", "café", "windows-1252", "sniffed")]
    [InlineData(new byte[] { 0x63, 0x61, 0x66, 0xC3, 0xA9 }, null, "café", "utf-8", "sniffed")]
    public void Charset_follows_the_sniffing_order(byte[] body, string? contentType, string text, string charset, string source)
    {
        Assert.Equal((text, charset, source), HtmlCharset.Decode(body, contentType));
    }

    [Fact]
    public void Meta_charset_is_honoured_in_both_forms()
    {
        // "中文" in GB18030 is D6 D0 CE C4; in Shift_JIS "日本" is 93 FA 96 7B.
        var gb = Encoding.ASCII.GetBytes("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">").Concat(new byte[] { 0xD6, 0xD0, 0xCE, 0xC4 }).ToArray();
        var (text, charset, source) = HtmlCharset.Decode(gb, "text/html");
        Assert.EndsWith("中文", text);
        Assert.Equal(("gb18030", "meta"), (charset, source));
        var sjis = Encoding.ASCII.GetBytes("<meta charset='Shift_JIS'>").Concat(new byte[] { 0x93, 0xFA, 0x96, 0x7B }).ToArray();
        Assert.EndsWith("日本", HtmlCharset.Decode(sjis, null).Text);
    }

    private sealed class FailingRejects : IRejectSink
    {
        public void Reject(Reject reject) => throw new BadInputException(reject);
    }
}
