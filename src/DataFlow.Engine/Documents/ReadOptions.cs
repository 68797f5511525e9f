namespace DataFlow.Engine.Documents;

/// <summary>How raw records map to documents.</summary>
public sealed record ReadOptions
{
    /// <summary>JSON field (or Parquet column) holding the id; missing ids become "FILE:LINE".</summary>
    public string IdField { get; init; } = "id";

    /// <summary>JSON field (or Parquet column) holding the text; a record without it is rejected.</summary>
    public string TextField { get; init; } = "text";

    /// <summary>Value of the source column; null uses the input file name.</summary>
    public string? Source { get; init; }

    /// <summary>Keep every other top-level JSON field in the metadata column.</summary>
    public bool KeepMetadata { get; init; } = true;

    /// <summary>Web archives: the media types of response / resource records read as documents (others are rejects).</summary>
    public IReadOnlyList<string> WebContentTypes { get; init; } = ["text/html", "application/xhtml+xml"];

    public static ReadOptions Default { get; } = new();
}
