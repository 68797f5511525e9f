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
    public void Split_finds_the_words_of_Next_on_random_mixed_text()
    {
        // Pieces chosen to meet the 16-character blocks of the vectorized path at every offset: ASCII words and
        // punctuation, every ASCII space, Unicode spaces, accented letters, Han (BMP and supplementary), emoji, a
        // lone surrogate and control characters.
        string[] pieces = ["a", "word", "don't", "--", "(x)", "3.5", "e.g.", "\"q\"", " ", "  ", "\n", "\r\n", "\t", "\v", "\f",
            "\u00a0", "\u2003", "\u3000", "caf\u00e9", "\u00e9t\u00e9", "北京", "東京です", "한국", "\ud840\udc00", "\ud83d\ude00",
            "\ud800", "\u0001", "\u0085", "\u2028", "x\u00bfy", "!", "...", "\u201cquoted\u201d", "abcdefghijklmnopqrstuvwxyz"];
        var random = new Random(22);
        var buffer = new TextRange[1];
        for (var round = 0; round < 3000; round++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => pieces[random.Next(pieces.Length)]));
            var count = WordSplitter.Split(text, ref buffer);
            Assert.Equal(WordSplitterList(text), buffer.Take(count).ToList());
        }
        var examples = "Hello, world! -- don't (e.g. 3.5) # ... $5 and I love 北京 and 東京です, all in one text of 64 chars";
        Assert.Equal(WordSplitterList(examples), buffer.Take(WordSplitter.Split(examples, ref buffer)).ToList());
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
