namespace DataFlow.Tests.Tokenize;

/// <summary>Texts that stress a byte-level BPE encoder: the round-trip fixtures, edge cases, and seeded random mixes of character classes.</summary>
internal static class EncoderFuzzTexts
{
    /// <summary>Pieces drawn by the random texts: every class the pre-tokenizer patterns tell apart, and their borders.</summary>
    private static readonly string[] Alphabet =
    [
        "a", "Z", "s", "S", "t", "T", "r", "R", "e", "E", "v", "l", "L", "m", "M", "d", "D", "'", "'", "x", "word", "The",
        " ", " ", " ", "  ", "\t", "\r", "\n", "\r\n", "\u00A0", "\u3000", "\u2028", "\u000B", "\u0085",
        "0", "7", "42", "12345", "\u0663", "\u216B", "\u00BD", ".", ",", "!", "?", "-", "/", "(", "\"", "...", "$", "#",
        "中", "文字", "日本", "한", "é", "e\u0301", "\u0308", "ǅ", "ʰ", "ß", "İ", "ſ", "K",
        "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "\u200B", "\u200D", "\uFEFF", "\u00AD",
    ];

    /// <summary>Lone surrogates: UTF-8 has no form for them, so every encoder here writes U+FFFD's bytes.</summary>
    private static readonly string[] LoneSurrogates = ["\uD800", "\uDC00", "\uD83D", "\uDE00x"];

    /// <summary>Letters and digits outside the BMP (UTF-16 surrogate pairs).</summary>
    private static readonly string[] SupplementaryLettersAndDigits = ["𝐀", "𝒜bc", "𠀀", "𝟘", "x𝐀y"];

    public static IEnumerable<string> EdgeCases()
    {
        foreach (var text in TokenizerFixtures.RoundTrip) yield return text;
        yield return TokenizerFixtures.TrainingText;
        yield return "I'm, you're, he's, we've, they'll, I'd, it's; I'M YOU'RE HE'S WE'VE THEY'LL I'D; 'tis ''s '' 's' x's";
        yield return "0 00 000 0000 12345678901234567890 3.14159 1,234,567.89 ½ Ⅻ ٣٤٥ 2024-12-07T23:40:00Z";
        yield return " a  b   c    d\t\te\r\n\r\nf\n\n\n g \u00A0h\u3000i \u2028 j   ";
        yield return "<|endoftext|> in the middle <|endoftext|><|endoftext|> and <|fim_prefix|> <|endofprompt|>";
        yield return new string('a', 5000) + " " + string.Concat(Enumerable.Repeat("ab", 3000)) + " " + new string('!', 2000);
        yield return Convert.ToBase64String(Enumerable.Range(0, 3000).Select(i => (byte)(i * 7919 % 251)).ToArray());
        yield return string.Concat(Enumerable.Repeat("😀👍🏽", 500)) + string.Concat(Enumerable.Repeat("中文", 1000));
        yield return "http://example.com/a/b?c=d&e=f#g    x.y@z.org  C:\\path\\to\\file.txt  <div class=\"x\">y</div>";
    }

    /// <summary>Seeded random texts of 0-60 alphabet pieces; with <paramref name="outsideBmp"/>, lone surrogates and supplementary letters too.</summary>
    public static IEnumerable<string> Random(int count, int seed, bool loneSurrogates, bool supplementaryLetters)
    {
        var random = new Random(seed);
        var alphabet = Alphabet.Concat(loneSurrogates ? LoneSurrogates : []).Concat(supplementaryLetters ? SupplementaryLettersAndDigits : []).ToArray();
        for (var i = 0; i < count; i++)
        {
            var pieces = random.Next(61);
            yield return string.Concat(Enumerable.Range(0, pieces).Select(_ => alphabet[random.Next(alphabet.Length)]));
        }
    }
}
