namespace DataFlow.Text.Quality;

/// <summary>
/// One quality heuristic. A rule reads the shared <see cref="AnalyzedText"/> (and may rewrite it, as C4's line
/// cleaning does) and returns keep or drop with one of its <see cref="Reasons"/>. Rules keep scratch buffers,
/// so one instance serves one thread at a time.
/// </summary>
public interface IQualityRule
{
    /// <summary>Rule name used in config and as the prefix of its reasons ("gopher_quality").</summary>
    string Name { get; }

    /// <summary>Every reason this rule can return, so stats and docs can list zeros too.</summary>
    IReadOnlyList<string> Reasons { get; }

    RuleVerdict Check(AnalyzedText text);
}
