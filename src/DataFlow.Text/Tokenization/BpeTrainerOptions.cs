namespace DataFlow.Text.Tokenization;

/// <summary>Settings of <see cref="ByteLevelBpeTrainer"/>; <see cref="Validate"/> runs when the trainer is built.</summary>
public sealed record BpeTrainerOptions
{
    /// <summary>Total ids: 256 bytes + learned merges + special tokens.</summary>
    public int VocabSize { get; init; } = 32_768;

    /// <summary>Special tokens, given ids after the learned tokens in this order; must include &lt;|endoftext|&gt;.</summary>
    public IReadOnlyList<string> SpecialTokens { get; init; } = Tokenization.SpecialTokens.Default;

    /// <summary>Pre-tokenization regex: merges never cross its matches.</summary>
    public string PreTokenizerPattern { get; init; } = PreTokenizerPatterns.Cl100k;

    /// <summary>Cap on distinct pre-tokenized words held while counting; past it the rarest are dropped (bounded memory).</summary>
    public int MaxWordTypes { get; init; } = 2_000_000;

    /// <summary>Pairs seen fewer times than this are never merged.</summary>
    public int MinPairCount { get; init; } = 2;

    public void Validate()
    {
        if (!SpecialTokens.Contains(Tokenization.SpecialTokens.EndOfText))
            throw new ArgumentException($"special tokens must include {Tokenization.SpecialTokens.EndOfText}");
        if (SpecialTokens.Distinct().Count() != SpecialTokens.Count) throw new ArgumentException("special tokens repeat");
        if (VocabSize < 256 + SpecialTokens.Count + 1)
            throw new ArgumentException($"vocab_size {VocabSize} leaves no room for merges after 256 bytes and {SpecialTokens.Count} special tokens");
        if (MaxWordTypes < 1000) throw new ArgumentException($"max_word_types {MaxWordTypes} is below 1000");
        if (MinPairCount < 1) throw new ArgumentException("min_pair_count must be at least 1");
        _ = new System.Text.RegularExpressions.Regex(PreTokenizerPattern); // throws on a bad pattern, here rather than mid-run
    }
}
