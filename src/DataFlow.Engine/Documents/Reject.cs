namespace DataFlow.Engine.Documents;

/// <summary>
/// A bad input record: where it was (file and 1-based line or row) and why it was rejected. <see cref="Records"/> is
/// how many input records the reject stands for (a corrupt Parquet row group loses all its rows; 1 otherwise, and
/// for a whole file whose record count cannot be read).
/// </summary>
public sealed record Reject(string File, long Line, string Reason, string? Excerpt = null)
{
    public long Records { get; init; } = 1;

    public string Location => Line > 0 ? $"{File}:{Line}" : File;
    public override string ToString() => $"{Location}: {Reason}";
}
