using DataFlow.Text.Dedup;

namespace DataFlow.Tests.Dedup;

public sealed class DedupKernelTests
{
    private static readonly MinHashOptions Options = new();

    [Fact]
    public void Normalization_lowercases_strips_punctuation_digits_and_diacritics()
    {
        var f = new DedupFingerprinter(Options);
        f.Compute("  Café, NAÏVE résumé -- 2024 édition!\n\tÜber   ", Span<uint>.Empty);
        Assert.Equal("cafe naive resume edition uber", f.Normalized.ToString());
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
    public void Exact_hash_ignores_case_and_punctuation_but_not_words()
    {
        var f = new DedupFingerprinter(Options);
        var a = f.Compute("The quick brown fox, jumps!", Span<uint>.Empty).ExactHash;
        var b = f.Compute("the QUICK brown fox jumps", Span<uint>.Empty).ExactHash;
        var c = f.Compute("the quick brown cat jumps", Span<uint>.Empty).ExactHash;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Texts_without_letters_hash_their_raw_text()
    {
        var f = new DedupFingerprinter(Options);
        var a = f.Compute("2024-01-01", Span<uint>.Empty);
        var b = f.Compute("1999-12-31", Span<uint>.Empty);
        Assert.Equal(ShingleMode.Empty, a.Mode);
        Assert.NotEqual(a.ExactHash, b.ExactHash);
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
