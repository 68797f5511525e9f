namespace DataFlow.Text.Tokenization;

/// <summary>
/// GPT-2's pre-tokenizer, <see cref="PreTokenizerPatterns.Gpt2"/>, as a hand-written scanner:
/// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ (every character is in some piece).
/// </summary>
internal sealed class Gpt2PreTokenizerScanner : HandWrittenPreTokenizerScanner
{
    public override string Pattern => PreTokenizerPatterns.Gpt2;

    private protected override int PieceEnd(ReadOnlySpan<char> text, int start)
    {
        var c = text[start];
        if (c == '\'' && start + 1 < text.Length)
        {
            var next = text[start + 1];
            if (next is 's' or 't' or 'm' or 'd') return start + 2;
            if (start + 2 < text.Length && (next, text[start + 2]) is ('r', 'e') or ('v', 'e') or ('l', 'l')) return start + 3;
        }
        // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+': one optional space, then a run of one class.
        var first = c == ' ' && start + 1 < text.Length ? start + 1 : start;
        var kind = KindOf(text[first]);
        if ((kind & CharKind.Space) == 0)
        {
            var end = first + 1;
            if ((kind & CharKind.Letter) != 0) while (end < text.Length && IsLetter(text[end])) end++;
            else if ((kind & CharKind.Number) != 0) while (end < text.Length && IsNumber(text[end])) end++;
            else while (end < text.Length && IsOther(text[end])) end++;
            return end;
        }
        return SpaceRunEnd(text, start);
    }
}
