using System.Text.RegularExpressions;
using DataFlow.Engine.Documents;
using DataFlow.Tests.Engine;
using DataFlow.Text.Web;

namespace DataFlow.Tests.Web;

public class HtmlTextExtractorTests(WebArchiveFixture fixture) : IClassFixture<WebArchiveFixture>
{
    private static readonly Regex Word = new(@"[^\W_]+");

    private static Dictionary<string, int> Bag(string text) =>
        Word.Matches(text).GroupBy(m => m.Value.ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>
    /// Ground truth: python3-doc ships each page's reStructuredText source (_sources/*.rst.txt). Word-level precision and
    /// recall of the extracted text against it (bags of lower-cased words, micro-averaged), as bench/web/score.py computes them.
    /// </summary>
    [Fact]
    public void Main_text_of_real_pages_matches_their_source_text()
    {
        var extractor = new HtmlTextExtractor();
        long hit = 0, got = 0, want = 0;
        foreach (var (_, html, source) in fixture.PagesTsv)
        {
            var extracted = Bag(extractor.Extract(File.ReadAllText(html)).Text);
            var reference = Bag(File.ReadAllText(source));
            hit += extracted.Sum(kv => Math.Min(kv.Value, reference.GetValueOrDefault(kv.Key)));
            got += extracted.Values.Sum();
            want += reference.Values.Sum();
        }
        var (precision, recall) = ((double)hit / got, (double)hit / want);
        Assert.True(precision > 0.93 && recall > 0.88, $"precision {precision:F3}, recall {recall:F3}");
    }

    [Fact]
    public void Boilerplate_goes_and_the_article_keeps_its_line_structure()
    {
        const string html = """
            <!DOCTYPE html><html lang="de-CH"><head><title> Ein  Titel </title><style>p { color: red }</style>
            <script>var x = "<p>not text</p>";</script></head>
            <body>
              <div id="cookie-banner">We use cookies. <button>Accept</button></div>
              <header class="site-header"><a href="/">Home</a> <a href="/news">News</a></header>
              <nav><ul><li><a href="/a">Alpha</a></li><li><a href="/b">Beta</a></li></ul></nav>
              <div class="layout">
                <div class="content">
                  <h1>Heading one</h1>
                  <p>First   paragraph
                     with a <a href="/x">link</a> inside.</p>
                  <ul><li>item one</li><li>item <b>two</b></li></ul>
                  <table><tr><th>name</th><th>value</th></tr><tr><td>a</td><td>1</td></tr></table>
                  <pre>def f():
                return 1</pre>
                  <p hidden>hidden text</p>
                  <p style="display: none">also hidden</p>
                </div>
                <div class="sidebar">Related: <a href="/1">one</a> <a href="/2">two</a></div>
              </div>
              <footer>Copyright 2024</footer>
            </body></html>
            """;
        var page = new HtmlTextExtractor().Extract(html);
        Assert.Equal("Ein Titel", page.Title);
        Assert.Equal("de-CH", page.Language);
        Assert.Equal(
            "Heading one\n\nFirst paragraph with a link inside.\n\n- item one\n- item two\n\nname | value\na | 1\n\ndef f():\n    return 1",
            page.Text);
    }

    [Fact]
    public void Options_drop_tables_links_and_code_and_whole_page_keeps_unmarked_text()
    {
        const string html = "<body><p>Intro text that is long enough to be the main part of the page here.</p><p>See <a href='/x'>this</a>.</p>"
            + "<table><tr><td>cell</td></tr></table><pre>code</pre></body>";
        var text = new HtmlTextExtractor(new HtmlExtractionOptions { KeepTables = false, KeepLinks = false, KeepCode = false }).Extract(html).Text;
        Assert.Equal("Intro text that is long enough to be the main part of the page here.\n\nSee .", text);
        var whole = new HtmlTextExtractor(new HtmlExtractionOptions { MainContent = false }).Extract(
            "<body><div><p>Main text of the page, long and with many words in it.</p></div><div>tail</div></body>").Text;
        Assert.Equal("Main text of the page, long and with many words in it.\n\ntail", whole);
    }

    [Fact]
    public void Extract_stage_turns_archived_pages_into_text_with_title_and_lang_columns()
    {
        using var dir = new TempDir();
        var (code, stdout, stderr) = CliProcess.Run(dir.Path, "ingest", "--input", fixture.File("python-docs.warc.gz"), "--output", dir.File("pages"));
        Assert.True(code == 0, stdout + stderr);
        (code, stdout, stderr) = CliProcess.Run(dir.Path, "extract", "--input", dir.File("pages"), "--output", dir.File("text"));
        Assert.True(code == 0, stdout + stderr);
        var docs = Directory.GetFiles(dir.File("text"), "*.parquet").Order()
            .SelectMany(f => DocumentSources.Read(f, ReadOptions.Default, new CollectingRejects())).ToList();
        Assert.Equal(fixture.PagesTsv.Select(p => p.Url), docs.Select(d => (string?)d["url"]));
        for (var i = 0; i < docs.Count; i++)
        {
            var html = File.ReadAllText(fixture.PagesTsv[i].Html);
            var title = Regex.Match(html, "<title>(.*?)</title>", RegexOptions.Singleline).Groups[1].Value;
            Assert.Equal(System.Net.WebUtility.HtmlDecode(Regex.Replace(title, @"\s+", " ").Trim()), docs[i]["title"]);
            Assert.Equal(Regex.Match(html, "<html[^>]*lang=\"([^\"]+)\"").Groups[1].Value, docs[i]["html_lang"]);
            Assert.DoesNotMatch("</?(div|span|script|style|section)[ >]", docs[i].Text);
        }
    }
}
