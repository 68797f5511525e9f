namespace DataFlow.Text.Dedup;

/// <summary>
/// How documents are shingled and signed. Two documents become LSH candidates with probability
/// 1 - (1 - s^Rows)^Bands for shingle-set Jaccard similarity s.
/// </summary>
public sealed record MinHashOptions
{
    /// <summary>Words per shingle for space-separated scripts.</summary>
    public int WordNgram { get; init; } = 5;

    /// <summary>Tokens per shingle for text mostly in unspaced scripts, where a token is one character.</summary>
    public int CharNgram { get; init; } = 5;

    /// <summary>Share of letters that must be of unspaced scripts (Han, kana, Thai, Lao, Khmer, Myanmar) before a document is shingled with <see cref="CharNgram"/> instead of <see cref="WordNgram"/>.</summary>
    public double CjkShare { get; init; } = 0.3;

    public int Bands { get; init; } = 14;
    public int Rows { get; init; } = 8;

    /// <summary>Seed of the permutation coefficients; signatures are comparable only under the same seed.</summary>
    public ulong Seed { get; init; } = 1;

    public int NumPerm => Bands * Rows;

    /// <summary>Probability that a pair with Jaccard similarity <paramref name="s"/> shares at least one band.</summary>
    public double CandidateProbability(double s) => 1 - Math.Pow(1 - Math.Pow(s, Rows), Bands);

    public MinHashOptions Validate()
    {
        if (WordNgram is < 1 or > 64) throw new ArgumentException($"word n-gram {WordNgram} must be in [1, 64]");
        if (CharNgram is < 1 or > 64) throw new ArgumentException($"char n-gram {CharNgram} must be in [1, 64]");
        if (Bands is < 1 or > 4096) throw new ArgumentException($"bands {Bands} must be in [1, 4096]");
        if (Rows is < 1 or > 1024) throw new ArgumentException($"rows {Rows} must be in [1, 1024]");
        if (CjkShare is < 0 or > 1) throw new ArgumentException($"cjk share {CjkShare} must be in [0, 1]");
        return this;
    }
}
