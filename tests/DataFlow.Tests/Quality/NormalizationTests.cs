using DataFlow.Text.Normalization;

namespace DataFlow.Tests.Quality;

public class NormalizationTests
{
    private readonly TextNormalizer _normalizer = new();

    [Fact]
    public void Composes_to_NFC()
    {
        var decomposed = "Cafe\u0301 cre\u0300me";
        Assert.Equal("Caf\u00e9 cr\u00e8me", _normalizer.Normalize(decomposed));
    }

    [Fact]
    public void Unifies_line_endings()
    {
        Assert.Equal("a\nb\nc\nd", _normalizer.Normalize("a\r\nb\rc\u2028d"));
    }

    [Fact]
    public void Drops_control_characters_but_keeps_tab_content_as_space()
    {
        Assert.Equal("ab c", _normalizer.Normalize("a\u0000b\u0007\tc\u200b\ufeff"));
    }

    [Fact]
    public void Collapses_spaces_and_trims_lines()
    {
        Assert.Equal("one two\nthree", _normalizer.Normalize("  one \u00a0  two  \n\t three   "));
    }

    [Fact]
    public void Caps_blank_lines_and_trims_the_document()
    {
        Assert.Equal("a\n\n\nb", _normalizer.Normalize("\n\n a\n\n\n\n\n\nb\n\n"));
        var keepAll = new TextNormalizer(new TextNormalizerOptions { MaxBlankLines = -1, TrimDocument = false });
        Assert.Equal("a\n\n\n\n\nb\n", keepAll.Normalize("a\n\n\n\n\nb\n"));
    }

    [Fact]
    public void Returns_clean_text_unchanged_without_copying()
    {
        const string clean = "Already clean.\n\nSecond paragraph, \u00e9t\u00e9.";
        Assert.Same(clean, _normalizer.Normalize(clean));
    }

    [Fact]
    public void Switched_off_steps_leave_text_alone()
    {
        var none = new TextNormalizer(new TextNormalizerOptions
        {
            Nfc = false, LineEndings = false, ControlCharacters = false, Whitespace = false, MaxBlankLines = -1, TrimDocument = false,
        });
        const string raw = "a  b\r\nc\u0007e\u0301";
        Assert.Equal(raw, none.Normalize(raw));
    }
}

public class WordSplitterTests
{
    private static string[] Words(string text) =>
        WordSplitterList(text).Select(r => text.Substring(r.Start, r.Length)).ToArray();

    private static List<TextRange> WordSplitterList(string text)
    {
        var list = new List<TextRange>();
        foreach (var w in WordSplitter.Enumerate(text)) list.Add(w);
        return list;
    }

    [Fact]
    public void Trims_punctuation_and_skips_punctuation_only_tokens()
    {
        Assert.Equal(["Hello", "world", "don't", "e.g", "3.5", "$5"], Words("Hello, world! -- don't (e.g. 3.5) # ... $5"));
    }

    [Fact]
    public void Counts_each_Han_Kana_and_Hangul_character_as_a_word()
    {
        Assert.Equal(4, WordSplitter.Count("我爱北京"));
        Assert.Equal(["I", "love", "北", "京", "and", "東", "京", "で", "す"], Words("I love 北京 and 東京です"));
        Assert.Equal(2, WordSplitter.Count("한국"));
        Assert.Equal(6, WordSplitter.Count("我爱北京。Hello, world!"));
    }

    [Fact]
    public void Counts_supplementary_plane_Han_as_one_word()
    {
        Assert.Equal(2, WordSplitter.Count("\ud840\udc00\ud840\udc01"));
    }

    [Fact]
    public void Counts_sentences()
    {
        Assert.Equal(3, SentenceSplitter.Count("One here. Two here! Three?"));
        Assert.Equal(1, SentenceSplitter.Count("No terminator at all"));
        Assert.Equal(1, SentenceSplitter.Count("Pi is 3.14 exactly."));
        Assert.Equal(1, SentenceSplitter.Count("Use tools, e.g. hammers."));
        Assert.Equal(2, SentenceSplitter.Count("He said \"stop.\" Then left."));
        Assert.Equal(2, SentenceSplitter.Count("我爱北京。你呢？"));
        Assert.Equal(0, SentenceSplitter.Count("  ...  "));
    }
}
