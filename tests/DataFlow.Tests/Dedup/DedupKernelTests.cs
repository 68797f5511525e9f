using DataFlow.Text.Dedup;

namespace DataFlow.Tests.Dedup;

public sealed class DedupKernelTests
{
    private static readonly MinHashOptions Options = new();

    [Fact]
    public void Normalization_lowercases_strips_punctuation_and_diacritics_and_maps_numbers_to_0()
    {
        var f = new DedupFingerprinter(Options);
        f.Compute("  Café, NAÏVE résumé -- 2024 édition!\n\tÜber   ", Span<uint>.Empty);
        Assert.Equal("cafe naive resume 0 edition uber", f.Normalized.ToString());
    }

    [Fact]
    public void Decomposed_and_precomposed_accents_normalize_alike()
    {
        var f = new DedupFingerprinter(Options);
        f.Compute("cafe\u0301 zu\u0308rich", Span<uint>.Empty);
        var decomposed = f.Normalized.ToString();
        f.Compute("café zürich", Span<uint>.Empty);
        Assert.Equal(f.Normalized.ToString(), decomposed);
    }

    [Fact]
    public void Exact_hash_is_of_the_text_as_written_by_default()
    {
        var f = new DedupFingerprinter(Options);
        var a = f.Compute("The quick brown fox, jumps!", Span<uint>.Empty).ExactHash;
        Assert.Equal(a, f.Compute("The quick brown fox, jumps!", Span<uint>.Empty).ExactHash);
        Assert.NotEqual(a, f.Compute("the QUICK brown fox jumps", Span<uint>.Empty).ExactHash);
        Assert.NotEqual(a, f.Compute("The quick brown fox, jumps! ", Span<uint>.Empty).ExactHash);
    }

    [Fact]
    public void Invoices_that_differ_in_amounts_are_distinct_as_written_and_equal_normalized()
    {
        const string first = "Invoice 2024-0117\nWidget x 3 ........ 29.97 EUR\nShipping ........... 4.50 EUR\nTotal due: 34.47 EUR";
        const string second = "Invoice 2024-0118\nWidget x 5 ........ 49.95 EUR\nShipping ........... 4.50 EUR\nTotal due: 54.45 EUR";
        var f = new DedupFingerprinter(Options);
        Assert.NotEqual(f.Compute(first, Span<uint>.Empty).ExactHash, f.Compute(second, Span<uint>.Empty).ExactHash);
        var a = f.Compute(first, Span<uint>.Empty, ExactMode.Normalized).ExactHash;
        Assert.Equal("invoice 0 0 widget x 0 0 eur shipping 0 eur total due 0 eur", f.Normalized.ToString());
        Assert.Equal(a, f.Compute(second, Span<uint>.Empty, ExactMode.Normalized).ExactHash);
        Assert.Equal(UInt128.Zero, f.Compute(first, Span<uint>.Empty, ExactMode.Off).ExactHash);
    }

    [Fact]
    public void Normalized_exact_hash_ignores_case_and_punctuation_but_not_words()
    {
        var f = new DedupFingerprinter(Options);
        var a = f.Compute("The quick brown fox, jumps!", Span<uint>.Empty, ExactMode.Normalized).ExactHash;
        var b = f.Compute("the QUICK brown fox jumps", Span<uint>.Empty, ExactMode.Normalized).ExactHash;
        var c = f.Compute("the quick brown cat jumps", Span<uint>.Empty, ExactMode.Normalized).ExactHash;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Texts_without_letters_hash_their_raw_text_even_normalized()
    {
        var f = new DedupFingerprinter(Options);
        var a = f.Compute("2024-01-01", Span<uint>.Empty, ExactMode.Normalized);
        var b = f.Compute("1999-12-31", Span<uint>.Empty, ExactMode.Normalized);
        Assert.Equal(ShingleMode.Empty, a.Mode);
        Assert.NotEqual(a.ExactHash, b.ExactHash);
    }

    // Hand-segmented: every letter of an unspaced script is a token with the marks that follow it; words of spaced
    // scripts keep their marks; a number (with one inner separator) is '0', as in datatrove's norm_numbers.
    [Theory]
    [InlineData("Café 3.14, über-cool 1,000 x2 2nd", "cafe|0|uber|cool|0|x0|0nd")]
    [InlineData("use ls 命令列出 files", "use|ls|命|令|列|出|files")]
    [InlineData("テストです。", "テ|ス|ト|で|す")]
    [InlineData("ที่นี่ ภาษาไทย", "ที่|นี่|ภ|า|ษ|า|ไ|ท|ย")] // Thai: tone and vowel marks above stay with their consonant
    [InlineData("ຂໍ້ມູນ", "ຂໍ້|ມູ|ນ")] // Lao
    [InlineData("ខ្មែរ", "ខ្|មែ|រ")] // Khmer: coeng and vowel sign kept
    [InlineData("မြန်မာ", "မြ|န်|မာ")] // Myanmar: medial, asat and vowel sign kept
    [InlineData("हिन्दी भाषा", "हिन्दी|भाषा")] // Devanagari is spaced: words keep their vowel signs and virama
    [InlineData("안녕하세요 세계", "안녕하세요|세계")] // Hangul is spaced: words, not characters
    [InlineData("\U00020000\U00020001x", "\U00020000|\U00020001|x")] // Han extension B (surrogate pairs)
    public void Tokens_follow_the_script(string text, string expected)
    {
        var f = new DedupFingerprinter(Options);
        f.Compute(text, Span<uint>.Empty);
        Assert.Equal(expected.Split('|'), f.Tokens);
    }

    [Fact]
    public void Chinese_is_shingled_by_character_inside_english_text_and_english_by_letter_inside_chinese_text()
    {
        var f = new DedupFingerprinter(Options with { WordNgram = 3, CharNgram = 3 });
        var fp = f.Compute("运行 ls 命令", Span<uint>.Empty);
        // 4 of 6 letters are Han, so character mode: every letter is a token, ls too; 3-grams by hand.
        Assert.Equal(ShingleMode.Characters, fp.Mode);
        Assert.Equal(["运", "行", "ls", "命", "令"], f.Tokens);
        string[][] grams = [["运", "行", "l"], ["行", "l", "s"], ["l", "s", "命"], ["s", "命", "令"]];
        Assert.Equal(grams.Select(DedupFingerprinter.ShingleHash).ToArray(), f.Shingles.ToArray());

        fp = f.Compute("the ls 命令 lists the files", Span<uint>.Empty);
        Assert.Equal(ShingleMode.Words, fp.Mode);
        grams = [["the", "ls", "命"], ["ls", "命", "令"], ["命", "令", "lists"], ["令", "lists", "the"], ["lists", "the", "files"]];
        Assert.Equal(grams.Select(DedupFingerprinter.ShingleHash).ToArray(), f.Shingles.ToArray());
    }

    [Fact]
    public void Buffers_grown_by_a_long_chinese_document_serve_a_longer_english_one()
    {
        // Found by the sample pipeline: character mode grew the token hashes but not their spans.
        var f = new DedupFingerprinter(Options);
        var chinese = string.Concat(Enumerable.Repeat("我们今天去公园散步然后回家吃饭", 400));
        Assert.Equal(ShingleMode.Characters, f.Compute(chinese, Span<uint>.Empty).Mode);
        var english = string.Join(' ', Enumerable.Range(0, 9000).Select(i => "w" + (char)('a' + i % 26) + (char)('a' + i / 26 % 26)));
        var fp = f.Compute(english, Span<uint>.Empty);
        Assert.Equal(9000 - Options.WordNgram + 1, fp.Shingles);
        Assert.Equal(9000, f.Tokens.Count);
    }

    [Fact]
    public void Thai_with_one_edited_character_keeps_most_shingles()
    {
        // A Thai sentence (from Debian's Thai apt catalogue) read as one word would share no shingle after any edit.
        const string text = "ไม่สามารถอ่านรายชื่อแหล่งแพกเกจได้";
        var f = new DedupFingerprinter(Options);
        var a = f.ShingleSet(text);
        var b = f.ShingleSet(text.Replace("อ่าน", "อ่าม"));
        Assert.True(a.Count > 10);
        Assert.InRange((double)a.Intersect(b).Count() / a.Union(b).Count(), 0.6, 0.95);
    }

    [Fact]
    public void Word_shingles_are_n_grams_and_short_texts_give_one_shingle()
    {
        var f = new DedupFingerprinter(Options);
        var fp = f.Compute("one two three four five six seven", Span<uint>.Empty);
        Assert.Equal(ShingleMode.Words, fp.Mode);
        Assert.Equal(3, fp.Shingles);
        Assert.Equal(1, f.Compute("just three words", Span<uint>.Empty).Shingles);
    }

    [Fact]
    public void Cjk_text_is_shingled_by_characters()
    {
        var f = new DedupFingerprinter(Options);
        var fp = f.Compute("我们今天去公园散步，然后回家吃饭。", Span<uint>.Empty);
        Assert.Equal(ShingleMode.Characters, fp.Mode);
        Assert.Equal(15 - Options.CharNgram + 1, fp.Shingles);
        Assert.Equal(DedupFingerprinter.ShingleHash(["我", "们", "今", "天", "去"]), f.Shingles[0]);
    }

    [Fact]
    public void Long_latin_texts_give_the_tokens_and_shingles_of_a_regex_reference()
    {
        // Texts long enough for the 32-unit ASCII block scan, with words across block ends, runs of separators,
        // numbers (3.14, 1,000) inside and beside words, and accented letters that hand back to the general path.
        // Reference: accents folded by FormD, every number '0', tokens the runs of [a-z0]; shingles by ShingleHash.
        var random = new Random(22);
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ           ,.;:!?'\"()-\n\t0123456789éÜñ";
        var f = new DedupFingerprinter(Options);
        for (var round = 0; round < 400; round++)
        {
            var chars = new char[random.Next(0, 400)];
            for (var i = 0; i < chars.Length; i++)
                chars[i] = random.Next(4) == 0 ? ' ' : alphabet[random.Next(round % 2 == 0 ? 52 : alphabet.Length)];
            var text = new string(chars);
            var folded = string.Concat(text.ToLowerInvariant().Normalize(System.Text.NormalizationForm.FormD)
                .Where(c => char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.NonSpacingMark));
            folded = System.Text.RegularExpressions.Regex.Replace(folded, "[0-9]+(?:[.,][0-9]+)*", "0");
            var tokens = System.Text.RegularExpressions.Regex.Matches(folded, "[a-z0]+").Select(m => m.Value).ToList();
            var fp = f.Compute(text, Span<uint>.Empty);
            if (!tokens.Any(t => t.Any(char.IsAsciiLetter)))
            {
                Assert.Equal(ShingleMode.Empty, fp.Mode);
                continue;
            }
            Assert.Equal(tokens, f.Tokens);
            Assert.Equal(string.Join(' ', tokens), f.Normalized.ToString());
            var n = Options.WordNgram;
            var grams = tokens.Count < n ? [tokens] : Enumerable.Range(0, tokens.Count - n + 1).Select(i => tokens.GetRange(i, n)).ToList();
            Assert.Equal(grams.Select(DedupFingerprinter.ShingleHash).ToArray(), f.Shingles.ToArray());
        }
    }

    [Theory]
    [InlineData(112)]
    [InlineData(100)]
    [InlineData(3)]
    public void Vector_paths_match_the_scalar_reference(int numPerm)
    {
        var shingles = Enumerable.Range(0, 777).Select(i => (ulong)i * 0x9E3779B97F4A7C15UL ^ 0xDEADBEEF).ToArray();
        var expected = new uint[numPerm];
        new MinHasher(numPerm, 7, 256).ComputeScalar(shingles, expected);
        foreach (var bits in new[] { 256, 512 })
        {
            var actual = new uint[numPerm];
            new MinHasher(numPerm, 7, bits).Compute(shingles, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Signature_agreement_estimates_jaccard()
    {
        // Two sets of 2000 shingles sharing 1000: Jaccard 1000/3000 = 1/3.
        var shared = Enumerable.Range(0, 1000).Select(i => (ulong)i * 2654435761UL + 17).ToArray();
        var a = shared.Concat(Enumerable.Range(0, 1000).Select(i => (ulong)(i + 5000) * 40503UL)).ToArray();
        var b = shared.Concat(Enumerable.Range(0, 1000).Select(i => (ulong)(i + 9000) * 40503UL)).ToArray();
        var hasher = new MinHasher(1024, 3);
        var sa = new uint[1024];
        var sb = new uint[1024];
        hasher.Compute(a, sa);
        hasher.Compute(b, sb);
        Assert.InRange(LshBands.EstimatedJaccard(sa, sb), 1 / 3.0 - 0.06, 1 / 3.0 + 0.06);
    }

    [Fact]
    public void Candidate_probability_is_the_lsh_s_curve()
    {
        Assert.Equal(1 - Math.Pow(1 - Math.Pow(0.8, 8), 14), Options.CandidateProbability(0.8), 12);
        Assert.True(Options.CandidateProbability(0.9) > 0.99);
        Assert.True(Options.CandidateProbability(0.3) < 0.01);
    }
}
