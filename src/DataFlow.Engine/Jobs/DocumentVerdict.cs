namespace DataFlow.Engine.Jobs;

/// <summary>What a document step decided: keep (possibly after changing the document), or drop with a named reason.</summary>
public readonly record struct DocumentVerdict(string? DropReason)
{
    public static DocumentVerdict Keep => default;
    public static DocumentVerdict Drop(string reason) => new(reason);
    public bool IsKept => DropReason is null;
}
