using Lingua;

namespace DataFlow.Text.LanguageId;

/// <summary>
/// Document language identification with SearchPioneer.Lingua. Reads a bounded sample spread over each document
/// (<see cref="LanguageIdentifierOptions.MaxChars"/> in <see cref="LanguageIdentifierOptions.SampleSlices"/>
/// slices) so cost per document is bounded. The decision is absolute (<see cref="LanguageIdentifierOptions.Absolute"/>):
/// a screen among all Lingua languages (low-accuracy models, a short sample) names a document outside the candidates
/// as what it is; a document in a candidate language gets the top candidate with Lingua's confidence among the
/// candidates (summing to 1 over them). For Latin-script text both answers come from <see cref="LatinTrigramScreen"/>,
/// which computes Lingua's own decisions from Lingua's own models many times faster (one fused table lookup per
/// trigram for every language).
/// </summary>
public sealed class LanguageIdentifier : ILanguageIdentifier
{
    private readonly LanguageDetector? _detector;   // null with a single candidate: the screen decides alone
    private readonly LanguageDetector? _screen;     // null when not absolute or when the candidates are all languages
    private readonly LatinTrigramScreen? _fast;      // Lingua's answers computed without Lingua where provably the same
    private readonly bool[]? _fastCandidates;         // the candidate detector may ask _fast, over these languages
    private readonly Dictionary<Language, string> _codes = new();
    private readonly HashSet<Language> _candidates = new();
    private readonly Dictionary<string, double> _paragraphWeights = new(StringComparer.Ordinal);

    public LanguageIdentifier(LanguageIdentifierOptions? options = null)
    {
        Options = options ?? new LanguageIdentifierOptions();
        if (Options.MaxChars < 0) throw new ArgumentOutOfRangeException(nameof(options), "max_chars must be 0 (all) or positive");
        if (Options.SampleSlices < 1) throw new ArgumentOutOfRangeException(nameof(options), "sample_slices must be at least 1");
        if (Options.ScreenChars < 0) throw new ArgumentOutOfRangeException(nameof(options), "screen_chars must be 0 (the max_chars sample) or positive");
        var all = LanguageInfo.All().ToArray();
        var languages = Options.Languages.Count == 0 ? all : Options.Languages.Select(ParseCode).Distinct().ToArray();
        if (languages.Length == 0) throw new ArgumentException("language identification needs at least one candidate language");
        if (languages.Length == 1 && !Options.Absolute)
            throw new ArgumentException("one candidate language needs the absolute decision (absolute: true): scored against itself alone, every text would be that language");
        foreach (var language in all) _codes[language] = LanguageInfo.IsoCode6391(language).ToString().ToLowerInvariant();
        _candidates.UnionWith(languages);
        if (languages.Length >= 2)
        {
            var builder = LanguageDetectorBuilder.FromLanguages(languages);
            if (Options.LowAccuracy) builder = builder.WithLowAccuracyMode();
            if (Options.Preload) builder = builder.WithPreloadedLanguageModels();
            _detector = builder.Build();
        }
        if (Options.Absolute && languages.Length < all.Length)
        {
            var builder = LanguageDetectorBuilder.FromAllLanguages().WithLowAccuracyMode();
            if (Options.Preload) builder = builder.WithPreloadedLanguageModels();
            _screen = builder.Build();
        }
        var latin = LanguageInfo.AllWithLatinScript();
        _fast = _screen is not null || languages.Any(latin.Contains) ? LatinTrigramScreen.Shared : null;
        if (_fast is not null && _detector is not null) _fastCandidates = _fast.MaskOf(languages);
    }

    public LanguageIdentifierOptions Options { get; }

    /// <summary>ISO 639-1 codes of the candidate languages.</summary>
    public IReadOnlyCollection<string> Codes => _candidates.Select(l => _codes[l]).ToList();

    /// <summary>Maps an ISO 639-1 code ("en") to a Lingua language; throws naming the code when unknown.</summary>
    public static Language ParseCode(string code)
    {
        if (Enum.TryParse<IsoCode6391>(code.Trim(), ignoreCase: true, out var iso) && iso != IsoCode6391.None)
            return LanguageInfo.GetByIsoCode6391(iso);
        throw new ArgumentException($"unknown ISO 639-1 language code '{code}'");
    }

    public LanguageGuess Identify(string text)
    {
        if (!Options.ParagraphLevel) return Decide(text);
        return IdentifyByParagraph(text);
    }

    /// <summary>The part of a long document that is read: a prefix, or evenly spread slices cut at spaces, joined by newlines.</summary>
    public string Sample(string text) => DocumentSampler.Sample(text, Options.MaxChars, Options.SampleSlices);

    /// <summary>
    /// The absolute decision. The screen names the language among all; outside the candidates that is the answer
    /// (confirmed on the full sample first when the screen read less, since a short slice of code or names can look
    /// foreign); in a candidate language, the candidate detector decides among the candidates as before. The slices
    /// are read as one text (measured on the man-page set: more accurate than a vote of slices, whose few hundred
    /// characters each are often a header or a code example).
    /// </summary>
    private LanguageGuess Decide(string text)
    {
        var sample = Sample(text);
        if (_screen is null) return Guess(CandidateTop(sample));
        var screenChars = Options.MaxChars == 0 ? Options.ScreenChars : Math.Min(Options.ScreenChars, Options.MaxChars);
        var screenSample = Options.ScreenChars == 0 || _detector is null ? sample : DocumentSampler.Sample(text, screenChars, Options.SampleSlices);
        var screen = ScreenTop(screenSample);
        if (screen.Language is { } found && !_candidates.Contains(found) && screenSample.Length < sample.Length)
            screen = ScreenTop(sample);
        if (screen.Language is not { } language) return LanguageGuess.Unknown;
        if (!_candidates.Contains(language) || _detector is null) return Guess(screen);
        return Guess(CandidateTop(sample));
    }

    private (Language? Language, double Score) ScreenTop(string text) =>
        _fast?.TryTop(text) ?? Top(_screen!, text);

    // Lingua reads trigrams alone in low-accuracy mode, and in high-accuracy mode from 120 cleaned characters on.
    private (Language? Language, double Score) CandidateTop(string text) =>
        (_fastCandidates is not null ? _fast!.TryTop(text, _fastCandidates, Options.LowAccuracy ? 3 : 120) : null) ?? Top(_detector!, text);

    private LanguageGuess Guess((Language? Language, double Score) top) =>
        top.Language is { } language ? new LanguageGuess(_codes[language], top.Score) : LanguageGuess.Unknown;

    private static (Language? Language, double Score) Top(LanguageDetector detector, string text)
    {
        foreach (var (language, score) in detector.ComputeLanguageConfidenceValues(text))
            return score > 0 ? (language, score) : (null, 0);
        return (null, 0);
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
            var sample = paragraph.Length > budget ? paragraph[..DocumentSampler.CutAtSpace(paragraph, budget)] : paragraph;
            budget -= sample.Length;
            var guess = Decide(sample.ToString());
            if (guess.Code is null) continue;
            _paragraphWeights[guess.Code] = _paragraphWeights.GetValueOrDefault(guess.Code) + sample.Length * guess.Score;
            total += sample.Length;
        }
        if (total == 0) return Decide(text);
        var best = _paragraphWeights.MaxBy(kv => kv.Value);
        return new LanguageGuess(best.Key, best.Value / total);
    }
}
