namespace DataFlow.Text.Tokenization;

/// <summary>
/// A pre-tokenizer written by hand: every character is in some piece, so the text is cut at the end of the piece that
/// starts where the last one ended; a subclass says where that is.
/// </summary>
internal abstract class HandWrittenPreTokenizerScanner : PreTokenizerScanner
{
    public sealed override int Split(ReadOnlySpan<char> text, ref int[] pieces)
    {
        var count = 0;
        for (var start = 0; start < text.Length;)
        {
            var end = PieceEnd(text, start);
            Add(ref pieces, count++, start, end - start);
            start = end;
        }
        return count;
    }

    /// <summary>End of the piece the pattern matches at <paramref name="start"/> (always past it).</summary>
    private protected abstract int PieceEnd(ReadOnlySpan<char> text, int start);
}
