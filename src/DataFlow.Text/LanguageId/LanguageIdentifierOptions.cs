namespace DataFlow.Text.LanguageId;

/// <summary>
/// How <see cref="LanguageIdentifier"/> is built and how much of each document it reads. Candidate languages
/// decide both speed and memory (all 79 preloaded in high-accuracy mode: 17 s start, 2.6 GB; 5 languages: 1.2 s,
/// 0.26 GB), so list only the languages the corpus can contain.
/// </summary>
public sealed record LanguageIdentifierOptions
{
    /// <summary>ISO 639-1 codes the detector chooses among (one or more); empty means all Lingua languages.</summary>
    public IReadOnlyList<string> Languages { get; init; } = ["en", "de", "fr", "es", "it", "pt", "nl", "ru", "zh", "ja"];

    /// <summary>Lingua's low-accuracy mode: trigram models only, several times faster, weaker under 120 characters.</summary>
    public bool LowAccuracy { get; init; }

    /// <summary>Load every model at construction (predictable latency) instead of on first use.</summary>
    public bool Preload { get; init; }

    /// <summary>At most this many characters are read per document (0: all), as <see cref="SampleSlices"/> slices spread over it.</summary>
    public int MaxChars { get; init; } = 1000;

    /// <summary>
    /// Number of slices of <see cref="MaxChars"/>/n characters taken from start to end of a long document (head,
    /// middle, tail for 3), so a book behind a licence header is read as the book; 1 reads a prefix.
    /// </summary>
    public int SampleSlices { get; init; } = 3;

    /// <summary>
    /// Absolute decision: each document is first identified among all Lingua languages (low-accuracy models, on
    /// <see cref="ScreenChars"/> characters sampled like <see cref="MaxChars"/>); a document in a language outside
    /// <see cref="Languages"/> is reported as that language, and only a document in a candidate language is then
    /// scored among the candidates. False: the candidates alone, whose confidence is relative (a language outside
    /// them comes out as its closest candidate).
    /// </summary>
    public bool Absolute { get; init; } = true;

    /// <summary>Characters the all-language screen reads per document (0: the <see cref="MaxChars"/> sample).</summary>
    public int ScreenChars { get; init; } = 150;

    /// <summary>Detect each paragraph separately and report the language holding most characters (for mixed documents).</summary>
    public bool ParagraphLevel { get; init; }

    /// <summary>Paragraphs shorter than this are ignored at paragraph level (too short to detect reliably).</summary>
    public int MinParagraphChars { get; init; } = 50;
}
