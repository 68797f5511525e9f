namespace DataFlow.Text.Quality;

/// <summary>
/// Thresholds of the Gopher quality filter (Rae et al. 2021, Table A1 / MassiveText); null disables a check.
/// Defaults are the published ones.
/// </summary>
public sealed record GopherQualityOptions
{
    public int? MinWords { get; init; } = 50;
    public int? MaxWords { get; init; } = 100_000;
    public double? MinMeanWordLength { get; init; } = 3;
    public double? MaxMeanWordLength { get; init; } = 10;

    /// <summary>Maximum '#' per word, and separately maximum ellipses ("..." or "…") per word.</summary>
    public double? MaxSymbolWordRatio { get; init; } = 0.1;

    /// <summary>Maximum fraction of lines starting with a bullet point.</summary>
    public double? MaxBulletLinesRatio { get; init; } = 0.9;

    /// <summary>Maximum fraction of lines ending in an ellipsis.</summary>
    public double? MaxEllipsisLinesRatio { get; init; } = 0.3;

    /// <summary>Minimum fraction of words that contain at least one alphabetic character.</summary>
    public double? MinAlphaWordsRatio { get; init; } = 0.8;

    public int? MinStopWords { get; init; } = 2;

    /// <summary>Compared ignoring case ("The" counts).</summary>
    public IReadOnlyList<string> StopWords { get; init; } = ["the", "be", "to", "of", "and", "that", "have", "with"];
}
