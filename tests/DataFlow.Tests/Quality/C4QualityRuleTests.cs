using DataFlow.Text.Quality;

namespace DataFlow.Tests.Quality;

/// <summary>C4 cleaning (Raffel et al. 2020 section 2.2 and the tfds c4_utils rules it cites).</summary>
public class C4QualityRuleTests
{
    private const string Five = "One good line here.\nTwo good line here.\nThree good line here.\nFour good line here.\nFive good line here.";

    private static (string? Reason, string Text) Check(string text, C4QualityOptions? options = null)
    {
        var analyzed = new AnalyzedText().Reset(text);
        var verdict = new C4QualityRule(options).Check(analyzed);
        return (verdict.DropReason, analyzed.Text);
    }

    [Fact]
    public void Keeps_only_lines_ending_in_terminal_punctuation()
    {
        var (reason, text) = Check(Five + "\nA menu line without end\nQuoted end line \"here.\"\nTrailing ellipsis line here...\nSingle quote end 'here'");
        Assert.Null(reason);
        Assert.Equal(Five + "\nQuoted end line \"here.\"\nSingle quote end 'here'", text);
    }

    [Fact]
    public void Needs_at_least_three_words_per_line()
    {
        var (_, text) = Check(Five + "\nTwo words.\nNow three words.");
        Assert.Equal(Five + "\nNow three words.", text);
    }

    [Fact]
    public void Needs_five_sentences_in_the_kept_lines()
    {
        Assert.Null(Check(Five).Reason);
        var four = string.Join('\n', Five.Split('\n').Take(4));
        Assert.Equal(C4QualityRule.TooFewSentences, Check(four + "\nno punctuation at the end").Reason);
        Assert.Null(Check("One sentence here. Two sentence here. Three here now. Four here now. Five here now.").Reason);
    }

    [Fact]
    public void Removes_javascript_and_policy_lines()
    {
        var (_, text) = Check(Five + "\nPlease enable JavaScript to view this.\nThis site uses cookies, you know.\nRead our Terms of Use now.");
        Assert.Equal(Five, text);
    }

    [Fact]
    public void Drops_pages_with_lorem_ipsum_or_curly_brackets_in_kept_lines()
    {
        Assert.Equal(C4QualityRule.LoremIpsum, Check(Five + "\nLorem Ipsum dolor sit amet.").Reason);
        Assert.Equal(C4QualityRule.CurlyBracket, Check(Five + "\nThe code is {x = 1} here.").Reason);
        // A bracket in a line removed earlier (no terminal punctuation) does not drop the page.
        Assert.Null(Check(Five + "\nfunction f() {").Reason);
    }

    [Fact]
    public void Strips_citation_markers()
    {
        var (_, text) = Check(Five + "\nCited fact is here.[12]\nEdited heading line here. [edit]\nClaim made here [citation needed].");
        Assert.Equal(Five + "\nCited fact is here.\nEdited heading line here.\nClaim made here .", text);
    }

    [Fact]
    public void The_rewritten_text_reports_its_true_word_count()
    {
        var analyzed = new AnalyzedText().Reset(Five + "\nCited fact [12] is here.[3]\nno end\nEdited line here. [edit]\nA -- dash line here.");
        Assert.True(new C4QualityRule().Check(analyzed).IsKept);
        Assert.Equal(DataFlow.Text.Normalization.WordSplitter.Count(analyzed.Text), analyzed.WordCount);
    }

    [Fact]
    public void Drops_lines_with_a_word_over_1000_characters()
    {
        var (_, text) = Check(Five + $"\nA {new string('x', 1000)} word.\nA {new string('y', 1001)} word.");
        Assert.Equal(Five + $"\nA {new string('x', 1000)} word.", text);
    }

    [Fact]
    public void Switches_turn_steps_off()
    {
        var options = new C4QualityOptions { FilterNoTerminalPunctuation = false, MinSentences = -1, FilterCurlyBracket = false };
        var (reason, text) = Check("three word line\n{ a b c }", options);
        Assert.Null(reason);
        Assert.Equal("three word line\n{ a b c }", text);
    }

    [Fact]
    public void Bad_words_match_whole_words_and_phrases_ignoring_case()
    {
        var rule = new C4BadWordsRule(["badword", "two words", "坏词"]);
        string? Check(string t) => rule.Check(new AnalyzedText().Reset(t)).DropReason;
        Assert.Equal(C4BadWordsRule.BadWords, Check("This has a BadWord, sadly."));
        Assert.Null(Check("This has badwords only as a longer word."));
        Assert.Equal(C4BadWordsRule.BadWords, Check("There are Two Words here."));
        Assert.Null(Check("There are two wordsmiths here."));
        Assert.Equal(C4BadWordsRule.BadWords, Check("这是坏词吗"));
    }
}

/// <summary>FineWeb quality filter thresholds (datatrove FineWebQualityFilter defaults).</summary>
public class FineWebQualityRuleTests
{
    private static readonly FineWebQualityOptions Off = new()
    {
        LinePunctuationThreshold = null, ShortLineThreshold = null, CharDuplicatesRatio = null, NewLineRatio = null,
    };

    private static string? Check(string text, FineWebQualityOptions options) =>
        new FineWebQualityRule(options).Check(new AnalyzedText().Reset(text)).DropReason;

    private static string Line(int i, bool punctuated) => $"{QualityTestText.Filler(i)} {QualityTestText.Filler(i + 500)} words line{(punctuated ? "." : "")}";

    [Fact]
    public void Defaults_are_the_published_thresholds()
    {
        var o = new FineWebQualityOptions();
        Assert.Equal((0.12, false, 0.67, 30, 0.01, 0.3), (o.LinePunctuationThreshold, o.LinePunctuationExcludeZero, o.ShortLineThreshold, o.ShortLineLength, o.CharDuplicatesRatio, o.NewLineRatio));
    }

    [Fact]
    public void Punctuated_line_ratio_must_exceed_012()
    {
        var options = Off with { LinePunctuationThreshold = 0.12 };
        string Text(int punctuated) => string.Join('\n', Enumerable.Range(0, 25).Select(i => Line(i, i < punctuated)));
        Assert.Equal(FineWebQualityRule.LinePunctuation, Check(Text(3), options));   // 0.12
        Assert.Null(Check(Text(4), options));                                         // 0.16
        Assert.Equal(FineWebQualityRule.LinePunctuation, Check(Text(0), options));
        Assert.Null(Check(Text(0), options with { LinePunctuationExcludeZero = true }));
    }

    [Fact]
    public void Short_line_ratio_must_stay_below_067()
    {
        var options = Off with { ShortLineThreshold = 0.67 };
        string Text(int shortLines) => string.Join('\n', Enumerable.Range(0, 100).Select(i => i < shortLines ? new string('s', 30) : new string('l', 31)));
        Assert.Null(Check(Text(66), options));
        Assert.Equal(FineWebQualityRule.ShortLines, Check(Text(67), options));
    }

    [Fact]
    public void Duplicated_line_characters_must_stay_below_one_percent()
    {
        var options = Off with { CharDuplicatesRatio = 0.01 };
        // Non-newline characters: 10 + 10 + 980 = 1000 with a 10-char duplicate (0.01, dropped) or 9-char (0.009, kept).
        Assert.Equal(FineWebQualityRule.CharDuplicates, Check($"{new string('d', 10)}\n{new string('d', 10)}\n{new string('u', 980)}", options));
        Assert.Null(Check($"{new string('d', 9)}\n{new string('d', 9)}\n{new string('u', 982)}", options));
        Assert.Null(Check($"a\n\n\n{new string('u', 99)}", options));   // empty lines are not duplicates
    }

    [Fact]
    public void Newlines_per_word_at_most_03()
    {
        var options = Off with { NewLineRatio = 0.3 };
        Assert.Null(Check("a b c\nd e f\ng h i\nj", options));          // 3 newlines / 10 words
        Assert.Equal(FineWebQualityRule.ListRatio, Check("a b c\nd e f\ng h i\nj\n", options));
    }
}
