namespace DataFlow.Text.Pii;

/// <summary>One detected value: its kind and where it sits in the scanned text (UTF-16 offsets).</summary>
public readonly record struct PiiMatch(PiiType Type, int Start, int Length)
{
    public int End => Start + Length;
}
