namespace DataFlow.Text.Normalization;

/// <summary>
/// Splits text into words without allocating. A word is a run of characters between whitespace with punctuation
/// (Unicode category P) trimmed from both ends; a run made only of punctuation is not a word ("--", "#", "..."),
/// inner punctuation stays ("don't", "e.g", "3.5"). Each Han, Kana or Hangul character is a word on its own
/// (see <see cref="CjkCharacters"/>), so rules that count words give meaningful numbers for Chinese and Japanese.
/// </summary>
public static class WordSplitter
{
    public static WordEnumerator Enumerate(ReadOnlySpan<char> text) => new(text);

    public static int Count(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var _ in Enumerate(text)) count++;
        return count;
    }

    /// <summary>Enumerates words as <see cref="TextRange"/>s of the text given to <see cref="Enumerate"/>.</summary>
    public ref struct WordEnumerator(ReadOnlySpan<char> text)
    {
        private readonly ReadOnlySpan<char> _text = text;
        private int _position;

        public TextRange Current { get; private set; }

        public readonly WordEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            var text = _text;
            var i = _position;
            while (i < text.Length)
            {
                var c = text[i];
                if (IsSpace(c)) { i++; continue; }
                var cjk = c < '\u1100' ? 0 : CjkCharacters.LengthAt(text, i);
                if (cjk > 0)
                {
                    Current = new TextRange(i, cjk);
                    _position = i + cjk;
                    return true;
                }
                var start = i;
                i++;
                while (i < text.Length && text[i] is var d && !IsSpace(d) && (d < '\u1100' || CjkCharacters.LengthAt(text, i) == 0)) i++;
                var end = i;
                while (start < end && IsTrimmed(text[start])) start++;
                while (end > start && IsTrimmed(text[end - 1])) end--;
                if (end > start)
                {
                    Current = new TextRange(start, end - start);
                    _position = i;
                    return true;
                }
            }
            _position = text.Length;
            return false;
        }
    }

    internal static bool IsSpace(char c) => c <= ' ' ? c is ' ' or '\n' or '\t' or '\r' or '\f' or '\v' : c > '\u007f' && char.IsWhiteSpace(c);

    private static bool IsTrimmed(char c) => c < '\u0080' ? AsciiPunctuation(c) : char.IsPunctuation(c);

    private static bool AsciiPunctuation(char c) => c is '!' or '"' or '#' or '%' or '&' or '\'' or '(' or ')' or '*' or ',' or '-'
        or '.' or '/' or ':' or ';' or '?' or '@' or '[' or '\\' or ']' or '_' or '{' or '}';
}
