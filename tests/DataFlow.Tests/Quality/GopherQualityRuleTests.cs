using DataFlow.Text.Quality;
using static DataFlow.Tests.Quality.QualityTestText;

namespace DataFlow.Tests.Quality;

/// <summary>Gopher quality thresholds from Rae et al. 2021 Table A1, at and just beyond each limit.</summary>
public class GopherQualityRuleTests
{
    private static string? Check(string text, GopherQualityOptions? options = null) =>
        new GopherQualityRule(options).Check(new AnalyzedText().Reset(text)).DropReason;

    [Fact]
    public void Defaults_are_the_published_thresholds()
    {
        var o = new GopherQualityOptions();
        Assert.Equal((50, 100_000), (o.MinWords, o.MaxWords));
        Assert.Equal((3.0, 10.0), (o.MinMeanWordLength, o.MaxMeanWordLength));
        Assert.Equal((0.1, 0.9, 0.3, 0.8, 2), (o.MaxSymbolWordRatio, o.MaxBulletLinesRatio, o.MaxEllipsisLinesRatio, o.MinAlphaWordsRatio, o.MinStopWords));
        Assert.Equal(["the", "be", "to", "of", "and", "that", "have", "with"], o.StopWords);
    }

    [Fact]
    public void Word_count_must_be_50_to_100000()
    {
        Assert.Null(Check(Words(50)));
        Assert.Equal(GopherQualityRule.TooFewWords, Check(Words(49)));
        Assert.Null(Check(Words(100_000)));
        Assert.Equal(GopherQualityRule.TooManyWords, Check(Words(100_001)));
    }

    [Fact]
    public void Punctuation_tokens_are_not_words()
    {
        Assert.Equal(GopherQualityRule.TooFewWords, Check(Words(49) + " -- ! ;"));
    }

    [Fact]
    public void Mean_word_length_must_be_3_to_10()
    {
        var threeLetters = "the and " + string.Join(' ', Enumerable.Repeat("cat", 48));
        Assert.Null(Check(threeLetters));
        Assert.Equal(GopherQualityRule.MeanWordLengthLow, Check(threeLetters[..^3] + "at"));

        var noStop = new GopherQualityOptions { MinStopWords = null };
        var tenLetters = string.Join(' ', Enumerable.Repeat("abcdefghij", 50));
        Assert.Null(Check(tenLetters, noStop));
        Assert.Equal(GopherQualityRule.MeanWordLengthHigh, Check(tenLetters + "k", noStop));
    }

    [Fact]
    public void Hash_symbols_at_most_one_per_ten_words()
    {
        var words = Words(50);
        Assert.Null(Check(words + " # # # # #"));
        Assert.Equal(GopherQualityRule.HashRatio, Check(words + " # # # # # #"));
    }

    [Fact]
    public void Ellipses_at_most_one_per_ten_words()
    {
        var words = WordList(50).ToList();
        string With(int ellipses) => string.Join(' ', words.Select((w, i) => i < ellipses * 2 && i % 2 == 1 ? (i % 4 == 1 ? w + "..." : w + "\u2026") : w));
        Assert.Null(Check(With(5)));
        Assert.Equal(GopherQualityRule.EllipsisRatio, Check(With(6)));
    }

    [Fact]
    public void At_most_90_percent_of_lines_start_with_a_bullet()
    {
        var lines = Enumerable.Range(0, 10).Select(i => string.Join(' ', WordList(60).Skip(i * 6).Take(6))).ToArray();
        string With(int bullets) => string.Join('\n', lines.Select((l, i) => i < bullets ? (i % 2 == 0 ? "  \u2022 " : "- ") + l : l));
        Assert.Null(Check(With(9)));
        Assert.Equal(GopherQualityRule.BulletLines, Check(With(10)));
    }

    [Fact]
    public void At_most_30_percent_of_lines_end_in_an_ellipsis()
    {
        var lines = Enumerable.Range(0, 10).Select(i => string.Join(' ', WordList(60).Skip(i * 6).Take(6))).ToArray();
        string With(int ellipses) => string.Join('\n', lines.Select((l, i) => i < ellipses ? l + (i % 2 == 0 ? "... " : "\u2026") : l));
        Assert.Null(Check(With(3)));
        Assert.Equal(GopherQualityRule.EllipsisLines, Check(With(4)));
    }

    [Fact]
    public void At_least_80_percent_of_words_contain_a_letter()
    {
        string With(int numbers) => string.Join(' ', WordList(50).Select((w, i) => i >= 50 - numbers ? "1234" : w));
        Assert.Null(Check(With(10)));
        Assert.Equal(GopherQualityRule.AlphaWords, Check(With(11)));
    }

    [Fact]
    public void At_least_two_stop_words_ignoring_case()
    {
        var fillers = string.Join(' ', Enumerable.Range(2, 48).Select(Filler));
        Assert.Null(Check("The WITH " + fillers));
        Assert.Equal(GopherQualityRule.StopWords, Check("the qqqqq " + fillers));
    }

    [Fact]
    public void Null_disables_a_check()
    {
        Assert.Null(Check(Words(10), new GopherQualityOptions { MinWords = null }));
    }

    [Fact]
    public void Chinese_text_passes_with_the_chinese_friendly_settings()
    {
        var chinese = string.Concat(Enumerable.Repeat("我们的研究是在北京进行的，这是一个有意义的项目。", 5));
        Assert.Equal(GopherQualityRule.MeanWordLengthLow, Check(chinese));
        var zh = new GopherQualityOptions { MinMeanWordLength = null, MaxMeanWordLength = null, StopWords = ["的", "是", "在", "了", "和", "有"] };
        Assert.Null(Check(chinese, zh));
    }
}
