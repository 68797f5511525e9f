using DataFlow.Text.Classification;

namespace DataFlow.Text.LanguageId;

/// <summary>
/// Language ID with a fastText model (lid.176, GlotLID, or one trained with <c>fasttext supervised</c> on
/// <c>__label__LANG</c> lines), read like <see cref="LanguageIdentifier"/>: the same bounded sample
/// (<see cref="LanguageIdentifierOptions.MaxChars"/> in <see cref="LanguageIdentifierOptions.SampleSlices"/> slices),
/// seen as one fastText line (newlines count as spaces). Labels become codes by <see cref="FastTextLanguageLabel"/>.
/// The decision is absolute by nature (the model knows all its labels): the top label is the language and its
/// probability the score, as FineWeb uses lid.176. With <see cref="LanguageIdentifierOptions.Absolute"/> false and
/// candidate <see cref="LanguageIdentifierOptions.Languages"/>, the best candidate wins with its probability
/// renormalized over the candidates (Lingua's relative decision).
/// </summary>
public sealed class FastTextLanguageIdentifier : ILanguageIdentifier
{
    private readonly FastTextModel _model;
    private readonly string[] _labelCodes;            // code of each model label, in the model's label order
    private readonly Dictionary<string, string> _codeOfLabel = new(StringComparer.Ordinal);
    private readonly HashSet<string>? _candidates;    // null: every language of the model

    public FastTextLanguageIdentifier(FastTextModel model, LanguageIdentifierOptions options)
    {
        _model = model;
        Options = options;
        if (options.MaxChars < 0) throw new ArgumentOutOfRangeException(nameof(options), "max_chars must be 0 (all) or positive");
        if (options.SampleSlices < 1) throw new ArgumentOutOfRangeException(nameof(options), "sample_slices must be at least 1");
        if (options.ParagraphLevel) throw new ArgumentException("paragraph_level is a Lingua option; a fastText model reads the document sample as one line");
        _labelCodes = model.Labels.Select(FastTextLanguageLabel.ToCode).ToArray();
        for (var i = 0; i < _labelCodes.Length; i++) _codeOfLabel[model.Labels[i]] = _labelCodes[i];
        var all = _labelCodes.ToHashSet(StringComparer.Ordinal);
        if (options.Languages.Count > 0)
        {
            _candidates = new HashSet<string>(StringComparer.Ordinal);
            foreach (var language in options.Languages)
            {
                var code = FastTextLanguageLabel.ToCode(language.Trim());
                if (!all.Contains(code))
                    throw new ArgumentException($"language '{language}' is not a label of the fastText model (its languages: {Describe(all)})");
                _candidates.Add(code);
            }
        }
        Codes = (_candidates ?? all).ToList();
    }

    public LanguageIdentifierOptions Options { get; }

    public IReadOnlyCollection<string> Codes { get; }

    public LanguageGuess Identify(string text)
    {
        var line = DocumentSampler.Sample(text, Options.MaxChars, Options.SampleSlices);
        if (_candidates is null || Options.Absolute)
        {
            foreach (var top in _model.Predict(line, 1))
                return new LanguageGuess(_codeOfLabel[top.Label], Math.Min(1.0, top.Probability));
            return LanguageGuess.Unknown;
        }
        // Relative: the candidates alone, their probabilities summed per code and renormalized.
        string? best = null;
        double bestScore = 0, total = 0;
        var perCode = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var prediction in _model.Predict(line, FastTextModel.AllLabels))
        {
            var code = _codeOfLabel[prediction.Label];
            if (!_candidates.Contains(code)) continue;
            var score = perCode[code] = perCode.GetValueOrDefault(code) + prediction.Probability;
            total += prediction.Probability;
            if (score > bestScore) (best, bestScore) = (code, score);
        }
        return best is null || total <= 0 ? LanguageGuess.Unknown : new LanguageGuess(best, Math.Min(1.0, bestScore / total));
    }

    private static string Describe(IEnumerable<string> codes)
    {
        var sorted = codes.Order(StringComparer.Ordinal).ToList();
        return string.Join(", ", sorted.Take(30)) + (sorted.Count > 30 ? $", ... ({sorted.Count} in all)" : "");
    }
}
