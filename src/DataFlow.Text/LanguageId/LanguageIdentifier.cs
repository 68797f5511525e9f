using Lingua;

namespace DataFlow.Text.LanguageId;

/// <summary>
/// Document language identification with SearchPioneer.Lingua. Reads a bounded sample of each document
/// (<see cref="LanguageIdentifierOptions.MaxChars"/>) so cost per document is bounded, and reports the top
/// language with Lingua's confidence value (probabilities over the candidate languages, summing to 1).
/// </summary>
public sealed class LanguageIdentifier
{
    private readonly LanguageDetector _detector;
    private readonly Dictionary<Language, string> _codes = new();
    private readonly Dictionary<string, double> _paragraphWeights = new(StringComparer.Ordinal);

    public LanguageIdentifier(LanguageIdentifierOptions? options = null)
    {
        Options = options ?? new LanguageIdentifierOptions();
        if (Options.MaxChars < 0) throw new ArgumentOutOfRangeException(nameof(options), "max_chars must be 0 (all) or positive");
        if (Options.SampleSlices < 1) throw new ArgumentOutOfRangeException(nameof(options), "sample_slices must be at least 1");
        var languages = Options.Languages.Count == 0 ? LanguageInfo.All().ToArray() : Options.Languages.Select(ParseCode).Distinct().ToArray();
        if (languages.Length < 2) throw new ArgumentException("language identification needs at least two candidate languages (the detector scores them against each other)");
        foreach (var language in languages) _codes[language] = LanguageInfo.IsoCode6391(language).ToString().ToLowerInvariant();
        var builder = LanguageDetectorBuilder.FromLanguages(languages);
        if (Options.LowAccuracy) builder = builder.WithLowAccuracyMode();
        if (Options.Preload) builder = builder.WithPreloadedLanguageModels();
        _detector = builder.Build();
    }

    public LanguageIdentifierOptions Options { get; }

    /// <summary>ISO 639-1 codes of the candidate languages.</summary>
    public IReadOnlyCollection<string> Codes => _codes.Values;

    /// <summary>Maps an ISO 639-1 code ("en") to a Lingua language; throws naming the code when unknown.</summary>
    public static Language ParseCode(string code)
    {
        if (Enum.TryParse<IsoCode6391>(code.Trim(), ignoreCase: true, out var iso) && iso != IsoCode6391.None)
            return LanguageInfo.GetByIsoCode6391(iso);
        throw new ArgumentException($"unknown ISO 639-1 language code '{code}'");
    }

    public LanguageGuess Identify(string text)
    {
        if (!Options.ParagraphLevel) return Detect(Sample(text));
        return IdentifyByParagraph(text);
    }

    /// <summary>The part of a long document that is read: a prefix, or evenly spread slices cut at spaces.</summary>
    public string Sample(string text)
    {
        var max = Options.MaxChars;
        if (max == 0 || text.Length <= max) return text;
        var slices = Options.SampleSlices;
        if (slices == 1) return text[..CutAtSpace(text, max)];
        var sliceLength = max / slices;
        var parts = new string[slices];
        for (var s = 0; s < slices; s++)
        {
            var start = (int)((long)(text.Length - sliceLength) * s / (slices - 1));
            var space = text.IndexOf(' ', start, Math.Min(64, text.Length - start));
            if (space >= 0 && s > 0) start = space + 1;
            var length = Math.Min(sliceLength, text.Length - start);
            parts[s] = text.Substring(start, CutAtSpace(text.AsSpan(start, length), length));
        }
        return string.Join('\n', parts);
    }

    private static int CutAtSpace(ReadOnlySpan<char> text, int max)
    {
        if (text.Length <= max) return text.Length;
        var space = text[..max].LastIndexOfAny(' ', '\n');
        var cut = space > max / 2 ? space : max;
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1])) cut--;
        return cut;
    }

    private LanguageGuess Detect(string text)
    {
        var values = _detector.ComputeLanguageConfidenceValues(text);
        foreach (var (language, score) in values)
            return score > 0 ? new LanguageGuess(_codes[language], score) : LanguageGuess.Unknown;
        return LanguageGuess.Unknown;
    }

    private LanguageGuess IdentifyByParagraph(string text)
    {
        _paragraphWeights.Clear();
        var budget = Options.MaxChars == 0 ? int.MaxValue : Options.MaxChars;
        double total = 0;
        foreach (var range in text.AsSpan().Split("\n\n"))
        {
            var paragraph = text.AsSpan(range).Trim();
            if (paragraph.Length < Options.MinParagraphChars) continue;
            if (budget <= 0) break;
            var sample = paragraph.Length > budget ? paragraph[..CutAtSpace(paragraph, budget)] : paragraph;
            budget -= sample.Length;
            var guess = Detect(sample.ToString());
            if (guess.Code is null) continue;
            _paragraphWeights[guess.Code] = _paragraphWeights.GetValueOrDefault(guess.Code) + sample.Length * guess.Score;
            total += sample.Length;
        }
        if (total == 0) return Detect(Sample(text));
        var best = _paragraphWeights.MaxBy(kv => kv.Value);
        return new LanguageGuess(best.Key, best.Value / total);
    }
}
