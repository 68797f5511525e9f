namespace DataFlow.Text.Quality;

/// <summary>Thresholds of FineWeb's own quality filter (Penedo et al. 2024, datatrove FineWebQualityFilter defaults).</summary>
public sealed record FineWebQualityOptions
{
    /// <summary>Drop when the fraction of lines ending in . ' " ! ? is at or below this.</summary>
    public double? LinePunctuationThreshold { get; init; } = 0.12;

    /// <summary>Do not apply the punctuation check to documents with no such line at all.</summary>
    public bool LinePunctuationExcludeZero { get; init; }

    /// <summary>Drop when the fraction of lines of at most <see cref="ShortLineLength"/> characters is at or above this.</summary>
    public double? ShortLineThreshold { get; init; } = 0.67;

    public int ShortLineLength { get; init; } = 30;

    /// <summary>Drop when duplicated non-empty lines hold at least this fraction of the non-newline characters.</summary>
    public double? CharDuplicatesRatio { get; init; } = 0.01;

    /// <summary>Drop when newlines per word exceed this (list-like pages).</summary>
    public double? NewLineRatio { get; init; } = 0.3;
}
