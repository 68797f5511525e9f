using DataFlow.Text.Quality;
using static DataFlow.Tests.Quality.QualityTestText;

namespace DataFlow.Tests.Quality;

/// <summary>
/// The rules in <c>compat: datatrove</c> mode at and around their thresholds. Expected values are worked out by hand
/// from datatrove 0.10's source (gopher_repetition_filter.py, gopher_quality_filter.py, c4_filters.py,
/// fineweb_quality_filter.py, utils/text.py at a649de7) and NLTK's tokenizer rules; each case says its arithmetic.
/// The same texts in DataFlow mode show where the two readings part.
/// </summary>
public class DatatroveCompatTests
{
    private static string? Check(IQualityRule rule, string text, QualityCompat compat = QualityCompat.Datatrove) =>
        rule.Check(new AnalyzedText(compat).Reset(text)).DropReason;

    /// <summary>Sentences of alphabetic words, each ending in '.', which NLTK splits off as a token of its own.</summary>
    private static string Sentences(int words, int sentences)
    {
        var list = WordList(words).ToList();
        var perSentence = (int)Math.Ceiling((double)words / sentences);
        return string.Join(' ', list.Chunk(perSentence).Select(c => string.Join(' ', c) + "."));
    }

    [Fact]
    public void Gopher_quality_counts_only_tokens_that_are_not_all_punctuation_as_words()
    {
        var rule = new GopherQualityRule();
        // 49 words + "..." + "--": 51 tokens, of which 49 are not in PUNCTUATION_SET -> 49 < 50.
        Assert.Equal(GopherQualityRule.TooFewWords, Check(rule, Words(49) + " ... --"));
        // 50 words in 5 sentences: 55 tokens, 50 words -> kept.
        Assert.Null(Check(rule, Sentences(50, 5)));
    }

    [Fact]
    public void Gopher_alpha_ratio_divides_by_every_token_periods_included()
    {
        var rule = new GopherQualityRule();
        // 50 alphabetic words in k sentences give 50 + k tokens: 50/62 = 0.806 >= 0.8 keeps, 50/63 = 0.794 drops.
        Assert.Null(Check(rule, Sentences(50, 12)));
        Assert.Equal(GopherQualityRule.AlphaWords, Check(rule, Sentences(50, 13)));
        // DataFlow's words carry no punctuation tokens: 50/50.
        Assert.Null(Check(rule, Sentences(50, 13), QualityCompat.DataFlow));
    }

    [Fact]
    public void Gopher_stop_words_are_distinct_and_case_sensitive_in_datatrove()
    {
        var rule = new GopherQualityRule();
        var fillers = string.Join(' ', Enumerable.Range(2, 48).Select(Filler));
        // set(words) & STOP_WORDS: {"the", "and"} has 2 -> kept; "The"/"And" are not in the set -> 0 -> dropped.
        Assert.Null(Check(rule, "the and " + fillers));
        Assert.Equal(GopherQualityRule.StopWords, Check(rule, "The And " + fillers));
        Assert.Null(Check(rule, "The And " + fillers, QualityCompat.DataFlow));
        // "the" three times is one distinct stop word in both modes (Gopher: "at least two of the stop words").
        Assert.Equal(GopherQualityRule.StopWords, Check(rule, "the the the " + fillers));
        Assert.Equal(GopherQualityRule.StopWords, Check(rule, "the the the " + fillers, QualityCompat.DataFlow));
    }

    [Fact]
    public void Gopher_bullets_are_only_the_bullet_and_the_hyphen_in_datatrove()
    {
        var rule = new GopherQualityRule();
        // 10 lines of 6 words; 10/10 start with '‣' (a bullet for DataFlow, not for datatrove): 1.0 > 0.9 drops in DataFlow mode.
        var lines = string.Join('\n', Enumerable.Range(0, 10).Select(i => "\u2023 " + string.Join(' ', WordList(60).Skip(i * 6).Take(6))));
        Assert.Null(Check(rule, lines));
        Assert.Equal(GopherQualityRule.BulletLines, Check(rule, lines, QualityCompat.DataFlow));
        Assert.Equal(GopherQualityRule.BulletLines, Check(rule, lines.Replace('\u2023', '-')));
    }

    [Fact]
    public void Gopher_repetition_scores_the_top_n_gram_even_when_it_occurs_once()
    {
        var rule = new GopherRepetitionRule();
        // One 2-gram "abcdefgh ijklmnop": 17 characters x 1 / 17 = 1.0 > 0.2.
        Assert.Equal("gopher_repetition.top_2_gram", Check(rule, "abcdefgh ijklmnop"));
        Assert.Null(Check(rule, "abcdefgh ijklmnop", QualityCompat.DataFlow));
    }

    [Fact]
    public void Gopher_repetition_lines_are_the_pieces_of_a_split_at_newline_runs()
    {
        var rule = new GopherRepetitionRule(new GopherRepetitionOptions { TopNGrams = [], DuplicateNGrams = [] });
        // re.split("\n+", "\nalpha beta\n") = ["", "alpha beta", ""]: 1 duplicate of 3 lines = 0.33 > 0.3.
        Assert.Equal(GopherRepetitionRule.DuplicateLines, Check(rule, "\nalpha beta\n"));
        // Five pieces ["", "alpha beta", "gamma delta", "epsilon zeta", ""]: 1/5 = 0.2 <= 0.3, and the duplicate is empty.
        Assert.Null(Check(rule, "\nalpha beta\ngamma delta\nepsilon zeta\n"));
        Assert.Null(Check(rule, "\nalpha beta\n", QualityCompat.DataFlow));
    }

    [Fact]
    public void C4_keeps_the_line_as_it_is_after_citation_removal()
    {
        var rule = new C4QualityRule(new C4QualityOptions { MinSentences = -1 });
        // "... citation. [1]" -> "... citation. " (CITATION_REGEX.sub, no strip): ends in ' ', not terminal -> removed.
        var analyzed = new AnalyzedText(QualityCompat.Datatrove).Reset("This line ends in a citation. [1]\nThis line is kept as written.");
        Assert.Null(rule.Check(analyzed).DropReason);
        Assert.Equal("This line is kept as written.", analyzed.Text);
        var dataflow = new AnalyzedText().Reset("This line ends in a citation. [1]\nThis line is kept as written.");
        rule.Check(dataflow);
        Assert.Equal("This line ends in a citation.\nThis line is kept as written.", dataflow.Text);
    }

    [Fact]
    public void C4_counts_sentences_with_punkt()
    {
        var rule = new C4QualityRule();
        // Punkt: "Dr." and "Mr." are abbreviations, so 1 + 1 + 1 + 1 = 4 < 5 sentences. DataFlow's splitter ends a
        // sentence at "Dr." before a capital: 2 + 2 + 1 + 1 = 6.
        var text = "Dr. Smith arrived today.\nMr. Jones left early.\nThey met at noon.\nIt was fine.";
        Assert.Equal(C4QualityRule.TooFewSentences, Check(rule, text));
        Assert.Null(Check(rule, text, QualityCompat.DataFlow));
        Assert.Null(Check(rule, text + "\nThen they left."));
    }

    [Fact]
    public void C4_word_length_limit_is_for_space_separated_words_in_DataFlow_mode()
    {
        var options = new C4QualityOptions { MinSentences = -1, FilterNoTerminalPunctuation = false };
        var rule = new C4QualityRule(options);
        var chinese = string.Concat(Enumerable.Repeat("我们的研究是在北京进行的", 100));   // 1,200 characters, no space
        var analyzed = new AnalyzedText().Reset(chinese);
        rule.Check(analyzed);
        Assert.Equal(chinese, analyzed.Text);   // each Han character is a word: no word over 1,000
        var word1001 = new string('x', 1001);
        analyzed = new AnalyzedText().Reset("a b " + word1001 + "\nthree short words");
        rule.Check(analyzed);
        Assert.Equal("three short words", analyzed.Text);
        // datatrove: line.split() sees one 1,200-character word and removes the line.
        analyzed = new AnalyzedText(QualityCompat.Datatrove).Reset(chinese + "\nthree short words");
        rule.Check(analyzed);
        Assert.Equal("three short words", analyzed.Text);
    }

    [Fact]
    public void FineWeb_compares_strictly_in_datatrove()
    {
        var rule = new FineWebQualityRule();
        // 25 distinct lines of 6 words (> 30 characters), 3 ending in '.': 3/25 = 0.12, not < 0.12 -> kept;
        // DataFlow drops at <= 0.12. Newlines 24 / words 150 + 3 periods = 0.16 <= 0.3.
        var lines = Enumerable.Range(0, 25).Select(i => string.Join(' ', WordList(200).Skip(2 + i * 6).Take(6)) + (i < 3 ? "." : ""));
        var text = string.Join('\n', lines);
        Assert.Null(Check(rule, text));
        Assert.Equal(FineWebQualityRule.LinePunctuation, Check(rule, text, QualityCompat.DataFlow));
        // 2/25 = 0.08 < 0.12 drops in both.
        var fewer = string.Join('\n', lines.Select((l, i) => i == 2 ? l.TrimEnd('.') : l));
        Assert.Equal(FineWebQualityRule.LinePunctuation, Check(rule, fewer));
    }

    [Fact]
    public void FineWeb_uses_datatroves_terminal_punctuation_and_code_points()
    {
        var rule = new FineWebQualityRule(new FineWebQualityOptions { ShortLineThreshold = null, CharDuplicatesRatio = null, NewLineRatio = null });
        // '‽' (U+203D) is in TERMINAL_PUNCTUATION: 1/1 line punctuated.
        Assert.Null(Check(rule, "is this the end of the line‽"));
        Assert.Equal(FineWebQualityRule.LinePunctuation, Check(rule, "is this the end of the line‽", QualityCompat.DataFlow));
        // A text with no non-blank line: datatrove drops it as "empty".
        Assert.Equal(FineWebQualityRule.Empty, Check(rule, " \n\t\n"));
        Assert.Null(Check(rule, " \n\t\n", QualityCompat.DataFlow));
        // 16 emoji are 16 characters for Python (<= 30: a short line) but 32 UTF-16 units.
        var shortOnly = new FineWebQualityRule(new FineWebQualityOptions { LinePunctuationThreshold = null, CharDuplicatesRatio = null, NewLineRatio = null });
        var emoji = string.Concat(Enumerable.Repeat("\U0001F600", 16));
        Assert.Equal(FineWebQualityRule.ShortLines, Check(shortOnly, emoji));
        Assert.Null(Check(shortOnly, emoji, QualityCompat.DataFlow));
    }

    [Fact]
    public void Bad_words_match_inside_hyphenated_words_as_c4s_pattern()
    {
        var rule = new C4BadWordsRule(["bar", "a$$"]);
        // (?:\W|^)(bar)(?:\W|$): '-' and '\'' are \W, '_' and letters are \w.
        Assert.Equal(C4BadWordsRule.BadWords, Check(rule, "a foo-bar here", QualityCompat.DataFlow));
        Assert.Equal(C4BadWordsRule.BadWords, Check(rule, "the bar's door", QualityCompat.DataFlow));
        Assert.Null(Check(rule, "a barn and foo_bar", QualityCompat.DataFlow));
        Assert.Equal(C4BadWordsRule.BadWords, Check(rule, "what a$$, really", QualityCompat.DataFlow));
        Assert.Null(Check(rule, "what a$$b", QualityCompat.DataFlow));
    }
}
