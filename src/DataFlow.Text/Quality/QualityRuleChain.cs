namespace DataFlow.Text.Quality;

/// <summary>An ordered list of rules; the first drop wins, so put cheap, high-yield rules first. One instance per thread.</summary>
public sealed class QualityRuleChain(IReadOnlyList<IQualityRule> rules, QualityCompat compat = QualityCompat.DataFlow)
{
    private readonly AnalyzedText _analyzed = new(compat);

    public QualityCompat Compat => compat;

    public IReadOnlyList<IQualityRule> Rules { get; } = rules;

    /// <summary>Every reason any rule of the chain can return, in chain order.</summary>
    public IEnumerable<string> Reasons => Rules.SelectMany(r => r.Reasons);

    /// <summary>Checks one document; the returned <see cref="AnalyzedText"/> (reused by the next call) holds the possibly rewritten text and the language.</summary>
    public (RuleVerdict Verdict, AnalyzedText Text) Check(string text)
    {
        _analyzed.Reset(text);
        foreach (var rule in Rules)
        {
            var verdict = rule.Check(_analyzed);
            if (!verdict.IsKept) return (verdict, _analyzed);
        }
        return (RuleVerdict.Keep, _analyzed);
    }
}
