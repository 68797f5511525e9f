namespace DataFlow.Text.Tokenization;

/// <summary>
/// cl100k_base's pre-tokenizer, <see cref="PreTokenizerPatterns.Cl100k"/>, as a hand-written scanner:
/// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// (every character is in some piece). The contractions are ASCII case-insensitive, as .NET's (?i:) is for these letters.
/// </summary>
internal sealed class Cl100kPreTokenizerScanner : HandWrittenPreTokenizerScanner
{
    public override string Pattern => PreTokenizerPatterns.Cl100k;

    private protected override int PieceEnd(ReadOnlySpan<char> text, int start)
    {
        var c = text[start];
        var kind = KindOf(c);
        var hasNext = start + 1 < text.Length;
        if (c == '\'' && hasNext)
        {
            var next = (char)(text[start + 1] | 0x20); // ASCII lower case; non-letters never land on s t m d r v l
            if (next is 's' or 't' or 'm' or 'd') return start + 2;
            if (start + 2 < text.Length && (next, (char)(text[start + 2] | 0x20)) is ('r', 'e') or ('v', 'e') or ('l', 'l')) return start + 3;
        }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if ((kind & CharKind.Letter) != 0) return LetterRunEnd(text, start + 1);
        if ((kind & (CharKind.LineBreak | CharKind.Number)) == 0 && hasNext && IsLetter(text[start + 1])) return LetterRunEnd(text, start + 2);
        // \p{N}{1,3}
        if ((kind & CharKind.Number) != 0)
        {
            var end = start + 1;
            while (end < text.Length && end - start < 3 && IsNumber(text[end])) end++;
            return end;
        }
        // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        var first = c == ' ' && hasNext ? start + 1 : start;
        if (IsOther(text[first]))
        {
            var end = first + 1;
            while (end < text.Length && IsOther(text[end])) end++;
            while (end < text.Length && text[end] is '\r' or '\n') end++;
            return end;
        }
        // c is white space here. \s*[\r\n]+: up to and including the run's last line break, if it has one.
        var runEnd = start + 1;
        while (runEnd < text.Length && IsSpace(text[runEnd])) runEnd++;
        for (var i = runEnd - 1; i >= start; i--)
            if (text[i] is '\r' or '\n') return i + 1;
        return SpaceRunEnd(text, start);
    }

    private static int LetterRunEnd(ReadOnlySpan<char> text, int end)
    {
        while (end < text.Length && IsLetter(text[end])) end++;
        return end;
    }
}
