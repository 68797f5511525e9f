using System.Runtime.CompilerServices;

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
            if (!Next(_text, ref _position, out var word)) return false;
            Current = word;
            return true;
        }
    }

    /// <summary>
    /// The word at or after <paramref name="position"/>, moving <paramref name="position"/> past it; false at the end.
    /// The loop behind <see cref="Enumerate"/>, for callers that fill their own buffer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Next(ReadOnlySpan<char> text, ref int position, out TextRange word)
    {
        var classes = AsciiClasses;
        var i = position;
        while (true)
        {
            while (i < text.Length && text[i] is var s && (s < 128 ? classes[s] == Space : IsSpace(s))) i++;
            if (i >= text.Length)
            {
                position = text.Length;
                word = default;
                return false;
            }
            if (text[i] >= '\u1100' && CjkCharacters.LengthAt(text, i) is var cjk and > 0)
            {
                word = new TextRange(i, cjk);
                position = i + cjk;
                return true;
            }
            var start = i;
            i++;
            while (i < text.Length)
            {
                var d = text[i];
                if (d < 128)
                {
                    if (classes[d] == Space) break;
                }
                else if (IsSpace(d) || (d >= '\u1100' && CjkCharacters.LengthAt(text, i) > 0))
                {
                    break;
                }
                i++;
            }
            var end = i;
            while (start < end && IsTrimmed(text[start])) start++;
            while (end > start && IsTrimmed(text[end - 1])) end--;
            if (end > start)
            {
                word = new TextRange(start, end - start);
                position = i;
                return true;
            }
        }
    }

    private const byte Space = 1;
    private const byte Punctuation = 2;

    /// <summary>Per ASCII character: 1 = a space (<see cref="IsSpace"/>), 2 = punctuation trimmed from words, 0 = word character.</summary>
    private static ReadOnlySpan<byte> AsciiClasses =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0,   // \t \n \v \f \r
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 2, 2, 2, 0, 2, 2, 2, 2, 2, 2, 0, 2, 2, 2, 2,   // space ! " # $ % & ' ( ) * + , - . /
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 2,   // 0-9 : ; < = > ?
        2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   // @ A-O
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 2,   // P-Z [ \ ] ^ _
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   // ` a-o
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 0,   // p-z { | } ~ DEL
    ];

    internal static bool IsSpace(char c) => c <= ' ' ? c is ' ' or '\n' or '\t' or '\r' or '\f' or '\v' : c > '\u007f' && char.IsWhiteSpace(c);

    private static bool IsTrimmed(char c) => c < '\u0080' ? AsciiClasses[c] == Punctuation : char.IsPunctuation(c);
}
