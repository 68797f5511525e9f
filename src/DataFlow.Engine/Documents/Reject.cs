namespace DataFlow.Engine.Documents;

/// <summary>A bad input record: where it was (file and 1-based line or row) and why it was rejected.</summary>
public sealed record Reject(string File, long Line, string Reason, string? Excerpt = null)
{
    public string Location => Line > 0 ? $"{File}:{Line}" : File;
    public override string ToString() => $"{Location}: {Reason}";
}
