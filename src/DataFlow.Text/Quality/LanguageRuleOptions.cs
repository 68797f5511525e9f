using DataFlow.Text.LanguageId;

namespace DataFlow.Text.Quality;

/// <summary>Which languages a document may be in and how sure the identifier must be.</summary>
public sealed record LanguageRuleOptions
{
    /// <summary>ISO 639-1 codes to keep; empty keeps any language that reaches <see cref="MinScore"/>.</summary>
    public IReadOnlyList<string> Keep { get; init; } = ["en"];

    /// <summary>Minimum confidence of the top language (FineWeb keeps English at 0.65 with fastText).</summary>
    public double MinScore { get; init; } = 0.65;

    public LanguageIdentifierOptions Identifier { get; init; } = new();
}
