using DataFlow.Engine.Documents;
using DataFlow.Text.Web;

namespace DataFlow.Tests.Web;

/// <summary>Each rule of datatrove's URLFilter (src/datatrove/pipeline/filters/url_filter.py, v0.10.0) at and around its edge, and the UT1 list layout.</summary>
public class UrlFilterTests
{
    [Theory]
    [InlineData("https://casino.example/page", "domain")]          // listed domain
    [InlineData("https://www.casino.example:8443/x", "domain")]    // subdomain of a listed domain, port ignored
    [InlineData("https://notcasino.example/x", null)]              // a suffix that is not a parent domain
    [InlineData("https://shop.bücher.example/", "domain")]         // IDN host against a punycode entry
    [InlineData("https://ok.casino.example/", null)]               // allow list wins
    [InlineData("http://news.example/sport/2024/a.html", "url")]   // below a listed path
    [InlineData("http://news.example/sportive/a.html", null)]      // not at a path boundary
    [InlineData("https://www.news.example/politics/x?id=1", "url")] // listed page with its query; www. dropped
    [InlineData("https://site.example/Free-PORNO-videos", "banned_word")] // whole word, any case
    [InlineData("https://site.example/pornography", null)]         // not a whole word
    [InlineData("https://site.example/hot-dating-tonight", "soft_banned_words")] // 2 distinct soft words
    [InlineData("https://site.example/hot/hot/hot", null)]          // one soft word, counted once
    [InlineData("https://site.example/x-x-x-sexcam-y", "banned_subword")] // inside the squashed URL
    [InlineData("not a url", "bad_url")]
    public void Each_rule_decides_as_defined(string url, string? reason)
    {
        var filter = new UrlFilter(new UrlFilterLists
        {
            BlockedDomains = ["casino.example", "xn--bcher-kva.example"],
            AllowedDomains = ["ok.casino.example"],
            BlockedUrls = ["news.example/sport", "news.example/politics/x?id=1"],
            BannedWords = ["porno"],
            SoftBannedWords = ["hot", "dating", "tonight-not-a-word"],
            BannedSubwords = ["sexcam"],
        });
        Assert.Equal(reason, filter.Check(url));
    }

    [Fact]
    public void Stage_reads_ut1_layout_and_names_a_reason_per_drop()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("ut1/gambling"));
        Directory.CreateDirectory(dir.File("ut1/press"));
        File.WriteAllText(dir.File("ut1/gambling/domains"), "# UT1 gambling\ncasino.example\n");
        File.WriteAllText(dir.File("ut1/press/urls"), "news.example/sport\n");
        File.WriteAllText(dir.File("ut1/press/domains"), "press.example\n");
        File.WriteAllLines(dir.File("in.jsonl"), [
            """{"id":"1","text":"a","url":"https://casino.example/"}""",
            """{"id":"2","text":"b","url":"https://news.example/sport/x"}""",
            """{"id":"3","text":"c","url":"https://press.example/"}""",
            """{"id":"4","text":"d","url":"https://fine.example/"}""",
            """{"id":"5","text":"e"}""",
        ]);
        File.WriteAllText(dir.File("urls.yaml"), "block_lists: [ut1]\nblock_categories: [gambling]\nkeep_removed: true\n");
        var (code, stdout, stderr) = CliProcess.Run(dir.Path, "url-filter", "--input", dir.File("in.jsonl"), "--output", dir.File("out"), "--config", dir.File("urls.yaml"));
        Assert.True(code == 0, stdout + stderr);
        var kept = Directory.GetFiles(dir.File("out"), "*.parquet").SelectMany(f => DocumentSources.Read(f, ReadOptions.Default, new CollectingRejects())).ToList();
        Assert.Equal(["2", "3", "4"], kept.Select(d => d.Id).Order());
        var removed = Directory.GetFiles(dir.File("out/removed"), "*.parquet").SelectMany(f => DocumentSources.Read(f, ReadOptions.Default, new CollectingRejects())).ToList();
        Assert.Equal([("1", "url_filter.domain"), ("5", "url_filter.no_url")], removed.Select(d => (d.Id, (string)d["reason"]!)).Order());

        File.WriteAllText(dir.File("bad.yaml"), "block_lists: [ut1]\nblock_categories: [adult]\n");
        (code, _, stderr) = CliProcess.Run(dir.Path, "url-filter", "--input", dir.File("in.jsonl"), "--output", dir.File("out2"), "--config", dir.File("bad.yaml"));
        Assert.NotEqual(0, code);
        Assert.Contains("no category adult", stderr);
    }
}
