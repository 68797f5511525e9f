using DataFlow.Text.Quality;
using static DataFlow.Tests.Quality.QualityTestText;

namespace DataFlow.Tests.Quality;

/// <summary>
/// Gopher repetition thresholds (Rae et al. 2021 Table A1). Each test switches on only the check it is about and
/// builds a text whose fraction sits exactly at the limit (kept, the limit is inclusive) and just past it (dropped).
/// </summary>
public class GopherRepetitionRuleTests
{
    private static readonly GopherRepetitionOptions Off = new()
    {
        MaxDuplicateLineFraction = null, MaxDuplicateParagraphFraction = null,
        MaxDuplicateLineCharFraction = null, MaxDuplicateParagraphCharFraction = null,
        TopNGrams = [], DuplicateNGrams = [],
    };

    private static string? Check(string text, GopherRepetitionOptions options) =>
        new GopherRepetitionRule(options).Check(new AnalyzedText().Reset(text)).DropReason;

    /// <summary>Distinct filler words joined by spaces, exactly <paramref name="length"/> characters long (at least 5).</summary>
    private static string Filler(int length, int seed = 1000)
    {
        var words = new List<string>();
        var used = -1;
        while (used + 6 <= length - 6) { words.Add(QualityTestText.Filler(seed + words.Count)); used += 6; }
        var last = length - (used + 1);
        words.Add(QualityTestText.Filler(seed + words.Count) + new string('z', last - 5));
        var text = string.Join(' ', words);
        Assert.Equal(length, text.Length);
        return text;
    }

    [Fact]
    public void Defaults_are_the_published_thresholds()
    {
        var o = new GopherRepetitionOptions();
        Assert.Equal((0.3, 0.3, 0.2, 0.2), (o.MaxDuplicateLineFraction, o.MaxDuplicateParagraphFraction, o.MaxDuplicateLineCharFraction, o.MaxDuplicateParagraphCharFraction));
        Assert.Equal([(2, 0.20), (3, 0.18), (4, 0.16)], o.TopNGrams);
        Assert.Equal([(5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10)], o.DuplicateNGrams);
    }

    [Fact]
    public void Natural_text_passes_all_defaults()
    {
        Assert.Null(Check(Words(400), new GopherRepetitionOptions()));
    }

    [Fact]
    public void Duplicate_line_fraction_at_most_30_percent()
    {
        var options = Off with { MaxDuplicateLineFraction = 0.3 };
        // 10 lines, the first repeated: 3 repeats (0.3) keep, 4 repeats (0.4) drop.
        string Lines(int repeats) => string.Join('\n', Enumerable.Range(0, 10).Select(i => i <= repeats ? "same line" : $"line {QualityTestText.Filler(i)}"));
        Assert.Null(Check(Lines(3), options));
        Assert.Equal(GopherRepetitionRule.DuplicateLines, Check(Lines(4), options));
    }

    [Fact]
    public void Duplicate_line_characters_at_most_20_percent()
    {
        var options = Off with { MaxDuplicateLineCharFraction = 0.2 };
        var a = Filler(20, 1);
        // A\nA\nB: the second A (20 chars) is the duplicate; total 100 chars keeps (0.20), 99 drops.
        Assert.Null(Check($"{a}\n{a}\n{Filler(58, 50)}", options));
        Assert.Equal(GopherRepetitionRule.DuplicateLineChars, Check($"{a}\n{a}\n{Filler(57, 50)}", options));
    }

    [Fact]
    public void Duplicate_paragraph_fraction_and_characters()
    {
        var fraction = Off with { MaxDuplicateParagraphFraction = 0.3 };
        string Paragraphs(int repeats) => string.Join("\n\n\n", Enumerable.Range(0, 10).Select(i => i <= repeats ? "same paragraph" : $"para {QualityTestText.Filler(i)}"));
        Assert.Null(Check(Paragraphs(3), fraction));
        Assert.Equal(GopherRepetitionRule.DuplicateParagraphs, Check(Paragraphs(4), fraction));

        var chars = Off with { MaxDuplicateParagraphCharFraction = 0.2 };
        var a = Filler(20, 1);
        Assert.Null(Check($"{a}\n\n{a}\n\n{Filler(56, 50)}", chars));
        Assert.Equal(GopherRepetitionRule.DuplicateParagraphChars, Check($"{a}\n\n{a}\n\n{Filler(55, 50)}", chars));
    }

    [Fact]
    public void Top_2_gram_characters_at_most_20_percent()
    {
        var options = Off with { TopNGrams = [(2, 0.20)] };
        // "xx yy" four times holds 4 * 5 = 20 characters: 100 in total keeps, 99 drops.
        const string repeated = "xx yy xx yy xx yy xx yy";
        Assert.Null(Check(repeated + " " + Filler(76), options));
        Assert.Equal("gopher_repetition.top_2_gram", Check(repeated + " " + Filler(75), options));
    }

    [Fact]
    public void A_top_n_gram_seen_once_is_not_repetition()
    {
        // "aa bb" is 5 of 8 characters, but it occurs once: nothing is repeated.
        Assert.Null(Check("aa bb cc", Off with { TopNGrams = [(2, 0.20)] }));
    }

    [Fact]
    public void Top_4_gram_characters_at_most_16_percent()
    {
        var options = Off with { TopNGrams = [(4, 0.16)] };
        // "aa bb cc dd" (11 chars) twice without overlap: 22 chars; 22/0.16 = 137.5.
        const string repeated = "aa bb cc dd aa bb cc dd";
        Assert.Null(Check(repeated + " " + Filler(138 - 24), options));
        Assert.Equal("gopher_repetition.top_4_gram", Check(repeated + " " + Filler(137 - 24), options));
    }

    [Fact]
    public void Duplicated_5_gram_characters_at_most_15_percent()
    {
        var options = Off with { DuplicateNGrams = [(5, 0.15)] };
        // The second "a1 b2 c3 d4 e5" (14 chars) is duplicated: 14/94 = 0.149 keeps, 14/93 = 0.1505 drops.
        const string repeated = "a1 b2 c3 d4 e5 a1 b2 c3 d4 e5";
        Assert.Null(Check(repeated + " " + Filler(94 - 30), options));
        Assert.Equal("gopher_repetition.duplicated_5_n_grams", Check(repeated + " " + Filler(93 - 30), options));
    }

    [Fact]
    public void Overlapping_duplicate_n_grams_are_counted_once()
    {
        // Twelve copies of one word: the 5-gram at 0 is new, at 1 it repeats (count 9 chars, jump to 6),
        // at 6 it repeats again (jump to 11, past the last 5-gram at 7): 18 of 23 characters.
        var text = string.Join(' ', Enumerable.Repeat("a", 12));
        Assert.Null(Check(text, Off with { DuplicateNGrams = [(5, 0.79)] }));
        Assert.Equal("gopher_repetition.duplicated_5_n_grams", Check(text, Off with { DuplicateNGrams = [(5, 0.78)] }));
    }

    [Fact]
    public void Duplicated_10_gram_limit_is_10_percent()
    {
        var options = Off with { DuplicateNGrams = [(10, 0.10)] };
        const string ten = "a b c d e f g h i j";   // 19 chars
        Assert.Null(Check($"{ten} {ten} {Filler(190 - 40)}", options));
        Assert.Equal("gopher_repetition.duplicated_10_n_grams", Check($"{ten} {ten} {Filler(189 - 40)}", options));
    }
}

public class GopherRepetitionBlankLineTests
{
    [Fact]
    public void Blank_lines_count_as_duplicates_unless_ignored()
    {
        var text = string.Join("\n\n", Enumerable.Range(0, 10).Select(i => $"paragraph {QualityTestText.Filler(i)} here."));
        var datatrove = new GopherRepetitionOptions { TopNGrams = [], DuplicateNGrams = [] };
        // 19 lines, 9 empty: 8 duplicates (0.42 > 0.30).
        Assert.Equal(GopherRepetitionRule.DuplicateLines, new GopherRepetitionRule(datatrove).Check(new AnalyzedText().Reset(text)).DropReason);
        Assert.Null(new GopherRepetitionRule(datatrove with { IgnoreBlankLines = true }).Check(new AnalyzedText().Reset(text)).DropReason);
    }
}
