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
        // The second "a1 b2 c3 d4 e5" is duplicated and counts its 10 word characters: 10/67 = 0.149 keeps, 10/66 = 0.1515 drops.
        const string repeated = "a1 b2 c3 d4 e5 a1 b2 c3 d4 e5";
        Assert.Null(Check(repeated + " " + Filler(67 - 30), options));
        Assert.Equal("gopher_repetition.duplicated_5_n_grams", Check(repeated + " " + Filler(66 - 30), options));
    }

    [Fact]
    public void Overlapping_duplicate_n_grams_are_counted_once()
    {
        // Twelve copies of one word: the 5-gram at 0 is new, at 1 it repeats (5 word chars, jump to 6),
        // at 6 it repeats again (jump to 11, past the last 5-gram at 7): 10 of 23 characters (0.4348).
        var text = string.Join(' ', Enumerable.Repeat("a", 12));
        Assert.Null(Check(text, Off with { DuplicateNGrams = [(5, 0.44)] }));
        Assert.Equal("gopher_repetition.duplicated_5_n_grams", Check(text, Off with { DuplicateNGrams = [(5, 0.43)] }));
    }

    [Fact]
    public void Duplicated_10_gram_limit_is_10_percent()
    {
        var options = Off with { DuplicateNGrams = [(10, 0.10)] };
        const string ten = "a b c d e f g h i j";   // 10 word characters
        Assert.Null(Check($"{ten} {ten} {Filler(100 - 40)}", options));
        Assert.Equal("gopher_repetition.duplicated_10_n_grams", Check($"{ten} {ten} {Filler(99 - 40)}", options));
    }
}

public class GopherRepetitionBlankLineTests
{
    [Fact]
    public void Blank_lines_are_not_lines_unless_asked_to_count_them()
    {
        var text = string.Join("\n\n", Enumerable.Range(0, 10).Select(i => $"paragraph {QualityTestText.Filler(i)} here."));
        var options = new GopherRepetitionOptions { TopNGrams = [], DuplicateNGrams = [] };
        Assert.True(options.IgnoreBlankLines);
        Assert.Null(new GopherRepetitionRule(options).Check(new AnalyzedText().Reset(text)).DropReason);
        // Older datatrove: 19 lines, 9 empty, 8 of them duplicates (0.42 > 0.30).
        Assert.Equal(GopherRepetitionRule.DuplicateLines,
            new GopherRepetitionRule(options with { IgnoreBlankLines = false }).Check(new AnalyzedText().Reset(text)).DropReason);
    }
}

/// <summary>
/// The hashed, prefix-narrowed n-gram counting against a direct transcription of the published counting
/// (datatrove's get_n_grams / find_top_duplicate / find_all_duplicate over strings) on random repetitive texts.
/// </summary>
public class GopherRepetitionReferenceTests
{
    private static readonly GopherRepetitionOptions Off = new()
    {
        MaxDuplicateLineFraction = null, MaxDuplicateParagraphFraction = null,
        MaxDuplicateLineCharFraction = null, MaxDuplicateParagraphCharFraction = null,
        TopNGrams = [], DuplicateNGrams = [],
    };

    private static List<string> NGrams(string[] words, int n) =>
        Enumerable.Range(0, Math.Max(0, words.Length - n + 1)).Select(i => string.Join(' ', words, i, n)).ToList();

    private static double TopFraction(string[] words, int n, int textLength)
    {
        var grams = NGrams(words, n);
        if (grams.Count == 0) return 0;
        var counts = new Dictionary<string, int>();
        foreach (var g in grams) counts[g] = counts.GetValueOrDefault(g) + 1;
        var best = grams.Distinct().OrderByDescending(g => counts[g]).First();   // stable: first occurrence wins ties
        return counts[best] < 2 ? 0 : (double)best.Length * counts[best] / textLength;
    }

    private static double DuplicateFraction(string[] words, int n, int textLength)
    {
        var grams = NGrams(words, n);
        var seen = new HashSet<string>();
        long repeated = 0;
        var i = 0;
        while (i < grams.Count)
        {
            if (!seen.Add(grams[i])) { repeated += grams[i].Length - (n - 1); i += n; }   // word characters only
            else i++;
        }
        return (double)repeated / textLength;
    }

    [Fact]
    public void Matches_the_reference_counting_on_random_texts()
    {
        var random = new Random(7);
        string[] vocabulary = ["alpha", "be", "cat", "delta", "echo", "fox", "go", "hotel", "in", "joy"];
        for (var doc = 0; doc < 150; doc++)
        {
            var words = Enumerable.Range(0, random.Next(5, 400)).Select(_ => vocabulary[random.Next(random.Next(2, vocabulary.Length + 1))]).ToArray();
            var text = string.Join(' ', words);
            for (var n = 2; n <= 10; n++)
            {
                var top = TopFraction(words, n, text.Length);
                Assert.Null(Check(text, Off with { TopNGrams = [(n, top)] }));
                if (top > 0) Assert.NotNull(Check(text, Off with { TopNGrams = [(n, top - 1e-9)] }));
                var dup = DuplicateFraction(words, n, text.Length);
                Assert.Null(Check(text, Off with { DuplicateNGrams = [(n, dup)] }));
                if (dup > 0) Assert.NotNull(Check(text, Off with { DuplicateNGrams = [(n, dup - 1e-9)] }));
            }
            // All sizes in one rule, as configured by default: narrowing across n must not change any fraction.
            var all = Off with
            {
                TopNGrams = [(2, TopFraction(words, 2, text.Length)), (3, TopFraction(words, 3, text.Length)), (4, TopFraction(words, 4, text.Length))],
                DuplicateNGrams = Enumerable.Range(5, 6).Select(n => (n, DuplicateFraction(words, n, text.Length))).ToList(),
            };
            Assert.Null(Check(text, all));
            for (var k = 0; k < all.DuplicateNGrams.Count; k++)
            {
                var (n, fraction) = all.DuplicateNGrams[k];
                if (fraction == 0) continue;
                var tighter = all.DuplicateNGrams.Select((t, j) => j == k ? (t.N, t.MaxFraction - 1e-9) : t).ToList();
                Assert.Equal($"gopher_repetition.duplicated_{n}_n_grams", Check(text, all with { DuplicateNGrams = tighter }));
            }
        }
    }

    [Fact]
    public void One_rule_reused_across_long_and_short_documents_matches_the_reference()
    {
        // One rule and one AnalyzedText for all documents, long ones between short ones (count tables are sized per
        // document and reused), n-gram sizes with gaps (a hash is extended by several words between sizes).
        var random = new Random(11);
        var vocabulary = Enumerable.Range(0, 200).Select(i => $"w{i}").ToArray();
        var documents = Enumerable.Range(0, 60).Select(i =>
        {
            var length = i % 3 == 0 ? random.Next(2000, 6000) : random.Next(5, 120);
            var used = random.Next(2, i % 2 == 0 ? 40 : vocabulary.Length);
            var words = new List<string>();
            while (words.Count < length)
            {
                if (words.Count > 30 && random.Next(6) == 0) words.AddRange(words.GetRange(random.Next(words.Count - 20), random.Next(5, 20)));   // a repeated span
                else words.Add(vocabulary[random.Next(used)]);
            }
            return words.ToArray();
        }).ToList();
        int[] tops = [2, 4];
        int[] duplicates = [5, 7, 10];
        var drops = 0;
        foreach (var threshold in new[] { 0.02, 0.1, 0.3 })
        {
            var rule = new GopherRepetitionRule(Off with
            {
                TopNGrams = tops.Select(n => (n, threshold)).ToList(),
                DuplicateNGrams = duplicates.Select(n => (n, threshold)).ToList(),
            });
            var analyzed = new AnalyzedText();
            foreach (var words in documents)
            {
                var text = string.Join(' ', words);
                var expected = tops.Where(n => TopFraction(words, n, text.Length) > threshold).Select(n => $"gopher_repetition.top_{n}_gram")
                    .Concat(duplicates.Where(n => DuplicateFraction(words, n, text.Length) > threshold).Select(n => $"gopher_repetition.duplicated_{n}_n_grams"))
                    .FirstOrDefault();
                Assert.Equal(expected, rule.Check(analyzed.Reset(text)).DropReason);
                if (expected is not null) drops++;
            }
        }
        Assert.InRange(drops, 10, 170);   // of 180 checks: the documents are neither all kept nor all dropped
    }

    private static string? Check(string text, GopherRepetitionOptions options) =>
        new GopherRepetitionRule(options).Check(new AnalyzedText().Reset(text)).DropReason;
}
