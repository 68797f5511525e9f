using System.Text.RegularExpressions;
using DataFlow.Text.Tokenization;

namespace DataFlow.Tests.Tokenize;

/// <summary>The hand-written pre-tokenizers give exactly the pieces .NET's regex engine finds for the published patterns.</summary>
public sealed class PreTokenizerScannerTests
{
    [Theory]
    [InlineData(PreTokenizerPatterns.Gpt2)]
    [InlineData(PreTokenizerPatterns.Cl100k)]
    [InlineData(PreTokenizerPatterns.O200k)]
    public void Scanner_pieces_equal_the_regex_matches(string pattern)
    {
        var scanner = PreTokenizerScanner.For(pattern);
        Assert.Equal(pattern, scanner.Pattern);
        var regex = new Regex(pattern);
        var pieces = new int[16];
        var texts = EncoderFuzzTexts.EdgeCases().Concat(EncoderFuzzTexts.Random(5000, seed: 7, loneSurrogates: true, supplementaryLetters: true));
        foreach (var text in texts)
        {
            var expected = regex.Matches(text).Select(m => (m.Index, m.Length)).ToList();
            var count = scanner.Split(text, ref pieces);
            var actual = Enumerable.Range(0, count).Select(i => (pieces[2 * i], pieces[2 * i + 1])).ToList();
            Assert.True(expected.SequenceEqual(actual), $"pieces differ for {Escaped(text)}: regex {string.Join(" ", expected.Select(p => Escaped(text.Substring(p.Index, p.Length))))}");
        }
    }

    [Fact]
    public void The_known_patterns_have_hand_written_scanners()
    {
        Assert.NotEqual("RegexPreTokenizerScanner", PreTokenizerScanner.For(PreTokenizerPatterns.Gpt2).GetType().Name);
        Assert.NotEqual("RegexPreTokenizerScanner", PreTokenizerScanner.For(PreTokenizerPatterns.Cl100k).GetType().Name);
        Assert.Equal("RegexPreTokenizerScanner", PreTokenizerScanner.For(@"\w+|\W").GetType().Name);
    }

    private static string Escaped(string text) => string.Concat(text.Take(200).Select(c => c is >= ' ' and < '\u007F' ? c.ToString() : $"\\u{(int)c:X4}"));
}
