namespace DataFlow.Text.Normalization;

/// <summary>A slice of a string by offset and length (UTF-16 code units); kept instead of substrings so splitting allocates nothing.</summary>
public readonly record struct TextRange(int Start, int Length)
{
    public int End => Start + Length;

    public ReadOnlySpan<char> Of(ReadOnlySpan<char> text) => text.Slice(Start, Length);
}
