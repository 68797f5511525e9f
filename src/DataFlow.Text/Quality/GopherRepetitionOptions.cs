namespace DataFlow.Text.Quality;

/// <summary>
/// Thresholds of the Gopher repetition filter (Rae et al. 2021, Table A1); null disables a check. Character
/// fractions are relative to the whole document's length. Defaults are the published ones.
/// </summary>
public sealed record GopherRepetitionOptions
{
    public double? MaxDuplicateLineFraction { get; init; } = 0.30;

    /// <summary>
    /// Skip empty lines in the line checks (default), as current datatrove does by splitting lines at runs of
    /// newlines. False reproduces older datatrove, where every empty line after the first counted as a duplicate
    /// line, which drops most texts that separate paragraphs with blank lines.
    /// </summary>
    public bool IgnoreBlankLines { get; init; } = true;
    public double? MaxDuplicateParagraphFraction { get; init; } = 0.30;
    public double? MaxDuplicateLineCharFraction { get; init; } = 0.20;
    public double? MaxDuplicateParagraphCharFraction { get; init; } = 0.20;

    /// <summary>(n, max fraction of characters in the most frequent n-gram).</summary>
    public IReadOnlyList<(int N, double MaxFraction)> TopNGrams { get; init; } = [(2, 0.20), (3, 0.18), (4, 0.16)];

    /// <summary>(n, max fraction of characters in duplicated n-grams).</summary>
    public IReadOnlyList<(int N, double MaxFraction)> DuplicateNGrams { get; init; } =
        [(5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10)];
}
