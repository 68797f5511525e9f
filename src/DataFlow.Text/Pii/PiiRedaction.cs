namespace DataFlow.Text.Pii;

/// <summary>The result of redacting one document: the new text (unchanged when dropped), per-type counts, and whether to drop it.</summary>
public sealed record PiiRedaction(string Text, int[] CountsByType, bool Dropped)
{
    public int Total => CountsByType.Sum();

    public int Count(PiiType type) => CountsByType[(int)type];
}
