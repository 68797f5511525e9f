namespace DataFlow.Text.Dedup;

/// <summary>How a document was cut into shingles.</summary>
public enum ShingleMode
{
    /// <summary>No letters at all: no shingles, never a near-duplicate candidate.</summary>
    Empty,
    Words,
    Characters,
}
