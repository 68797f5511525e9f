using DataFlow.Text.LanguageId;
using DataFlow.Text.Quality;

namespace DataFlow.Tests.Quality;

public class LanguageRuleTests
{
    private const string English = "The quick brown fox jumps over the lazy dog while the farmer watches from the porch of his old house.";
    private const string German = "Der schnelle braune Fuchs springt über den faulen Hund, während der Bauer von der Veranda seines alten Hauses zusieht.";
    private const string Chinese = "我们的研究是在北京进行的，这是一个非常有意义的项目，大家都很努力地工作。";

    private static readonly LanguageIdentifier Identifier = new(new LanguageIdentifierOptions { Languages = ["en", "de", "fr", "zh"] });

    [Fact]
    public void Identifies_and_records_language_and_score()
    {
        var rule = new LanguageRule(new LanguageRuleOptions { Keep = ["en"] }, Identifier);
        var analyzed = new AnalyzedText().Reset(English);
        Assert.True(rule.Check(analyzed).IsKept);
        Assert.Equal("en", analyzed.Language);
        Assert.InRange(analyzed.LanguageScore, 0.65, 1.0);

        analyzed.Reset(German);
        Assert.Equal(LanguageRule.NotKept, rule.Check(analyzed).DropReason);
        Assert.Equal("de", analyzed.Language);

        analyzed.Reset(Chinese);
        Assert.Equal(LanguageRule.NotKept, rule.Check(analyzed).DropReason);
        Assert.Equal("zh", analyzed.Language);
    }

    [Fact]
    public void Drops_below_the_minimum_score_and_unknown_text()
    {
        var strict = new LanguageRule(new LanguageRuleOptions { Keep = [], MinScore = 1.01 }, Identifier);
        Assert.Equal(LanguageRule.LowScore, strict.Check(new AnalyzedText().Reset(English)).DropReason);
        Assert.Equal(LanguageRule.Unknown, strict.Check(new AnalyzedText().Reset("12345 !!! 678")).DropReason);
    }

    [Fact]
    public void Reads_a_bounded_sample_of_long_documents()
    {
        var id = new LanguageIdentifier(new LanguageIdentifierOptions { Languages = ["en", "de"], MaxChars = 200, SampleSlices = 2 });
        var text = string.Concat(Enumerable.Repeat(English + " ", 20)) + string.Concat(Enumerable.Repeat(German + " ", 20));
        var sample = id.Sample(text);
        Assert.InRange(sample.Length, 100, 201);
        Assert.Contains("fox", sample);
        Assert.Contains("Hauses", sample);
        var prefix = new LanguageIdentifier(new LanguageIdentifierOptions { Languages = ["en", "de"], MaxChars = 300 });
        Assert.Equal("en", prefix.Identify(text).Code);
    }

    [Fact]
    public void Paragraph_level_reports_the_language_with_most_text()
    {
        var id = new LanguageIdentifier(new LanguageIdentifierOptions { Languages = ["en", "de"], ParagraphLevel = true, MaxChars = 0, LowAccuracy = true });
        var text = $"{English}\n\n{German}\n\n{German} {German}";
        var guess = id.Identify(text);
        Assert.Equal("de", guess.Code);
        Assert.InRange(guess.Score, 0.5, 1.0);
    }

    [Fact]
    public void Rejects_unknown_codes_and_kept_languages_outside_the_candidates()
    {
        Assert.Throws<ArgumentException>(() => LanguageIdentifier.ParseCode("xx"));
        Assert.Throws<ArgumentException>(() => new LanguageRule(new LanguageRuleOptions { Keep = ["ja"] }, Identifier));
        Assert.Throws<ArgumentException>(() => new LanguageIdentifier(new LanguageIdentifierOptions { Languages = ["en"] }));
    }
}
