using DataFlow.Text.LanguageId;

namespace DataFlow.Text.Quality;

/// <summary>Identifies the language (recorded on the <see cref="AnalyzedText"/>) and drops documents outside the kept set or below the minimum score.</summary>
public sealed class LanguageRule : IQualityRule
{
    public const string Unknown = "language.unknown";
    public const string NotKept = "language.not_kept";
    public const string LowScore = "language.low_score";

    private readonly LanguageRuleOptions _options;
    private readonly ILanguageIdentifier _identifier;
    private readonly HashSet<string> _keep;

    /// <param name="identifier">Lingua built from the options' <see cref="LanguageRuleOptions.Identifier"/> when null; or a fastText model's.</param>
    public LanguageRule(LanguageRuleOptions? options = null, ILanguageIdentifier? identifier = null)
    {
        _options = options ?? new LanguageRuleOptions();
        _identifier = identifier ?? new LanguageIdentifier(_options.Identifier);
        // A fastText model's codes keep their case where no ISO 639-1 code exists (gsw_Latn); Lingua's are lower case.
        _keep = new HashSet<string>(_options.Keep.Select(c => _identifier is FastTextLanguageIdentifier
            ? FastTextLanguageLabel.ToCode(c.Trim()) : c.Trim().ToLowerInvariant()), StringComparer.Ordinal);
        foreach (var code in _keep)
        {
            if (_identifier is LanguageIdentifier) LanguageIdentifier.ParseCode(code);
            if (!_identifier.Codes.Contains(code))
                throw new ArgumentException($"language '{code}' is kept but is not among the detector's languages ({string.Join(", ", _identifier.Codes.Take(30))})");
        }
    }

    public string Name => "language";

    public IReadOnlyList<string> Reasons { get; } = [Unknown, NotKept, LowScore];

    public RuleVerdict Check(AnalyzedText analyzed)
    {
        var guess = _identifier.Identify(analyzed.Text);
        analyzed.Language = guess.Code;
        analyzed.LanguageScore = guess.Score;
        if (guess.Code is null) return RuleVerdict.Drop(Unknown);
        if (_keep.Count > 0 && !_keep.Contains(guess.Code)) return RuleVerdict.Drop(NotKept);
        if (guess.Score < _options.MinScore) return RuleVerdict.Drop(LowScore);
        return RuleVerdict.Keep;
    }
}
