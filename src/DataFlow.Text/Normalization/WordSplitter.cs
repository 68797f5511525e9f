using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    /// <summary>
    /// All words of <paramref name="text"/> into <paramref name="words"/> (grown by doubling when full); returns the
    /// count. The same words as <see cref="Next"/>, found 16 characters at a time where a block is ASCII: one vector
    /// compare gives the block's space mask, and words are the runs between its set bits (trailing-zero counts);
    /// a block holding any non-ASCII character is classified one character at a time, as <see cref="Next"/> does.
    /// </summary>
    // Compiled fully optimized on first call: crossgen's ReadyToRun code of a Vector256 method is not used on an AVX2
    // machine, so without this a task would run it at tier 0, then on-stack replaced, then recompiled at tier 1.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Split(ReadOnlySpan<char> text, ref TextRange[] words)
    {
        var count = 0;
        var wordStart = -1;   // start of the open run of word characters, -1 between words
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var origin = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
            var nonAscii = Vector256.Create((ushort)0xFF80);
            var blank = Vector256.Create((ushort)' ');
            var tab = Vector256.Create((ushort)'\t');
            var five = Vector256.Create((ushort)5);   // \t \n \v \f \r are 9..13
            while (i <= text.Length - Vector256<ushort>.Count)
            {
                var v = Vector256.LoadUnsafe(ref origin, (nuint)i);
                if ((v & nonAscii) != Vector256<ushort>.Zero)
                {
                    i = SplitScalar(text, i, i + Vector256<ushort>.Count, ref wordStart, ref words, ref count);
                    continue;
                }
                var spaces = (Vector256.Equals(v, blank) | Vector256.LessThan(v - tab, five)).ExtractMostSignificantBits();
                var chars = ~spaces & 0xFFFFu;
                var p = 0;
                while (true)
                {
                    if (wordStart >= 0)
                    {
                        var rest = spaces >> p;
                        if (rest == 0) break;
                        p += BitOperations.TrailingZeroCount(rest);
                        AddTrimmed(text, wordStart, i + p, ref words, ref count);
                        wordStart = -1;
                    }
                    else
                    {
                        var rest = chars >> p;
                        if (rest == 0) break;
                        p += BitOperations.TrailingZeroCount(rest);
                        wordStart = i + p;
                    }
                }
                i += Vector256<ushort>.Count;
            }
        }
        SplitScalar(text, i, text.Length, ref wordStart, ref words, ref count);
        if (wordStart >= 0) AddTrimmed(text, wordStart, text.Length, ref words, ref count);
        return count;
    }

    /// <summary>Classifies characters from <paramref name="i"/> up to <paramref name="end"/> (a CJK surrogate pair may carry one past it); returns where it stopped.</summary>
    private static int SplitScalar(ReadOnlySpan<char> text, int i, int end, ref int wordStart, ref TextRange[] words, ref int count)
    {
        var classes = AsciiClasses;
        while (i < end)
        {
            var c = text[i];
            if (c < 128 ? classes[c] == Space : IsSpace(c))
            {
                if (wordStart >= 0)
                {
                    AddTrimmed(text, wordStart, i, ref words, ref count);
                    wordStart = -1;
                }
                i++;
            }
            else if (c >= '\u1100' && CjkCharacters.LengthAt(text, i) is var cjk and > 0)
            {
                if (wordStart >= 0)
                {
                    AddTrimmed(text, wordStart, i, ref words, ref count);
                    wordStart = -1;
                }
                Add(new TextRange(i, cjk), ref words, ref count);
                i += cjk;
            }
            else
            {
                if (wordStart < 0) wordStart = i;
                i++;
            }
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTrimmed(ReadOnlySpan<char> text, int start, int end, ref TextRange[] words, ref int count)
    {
        while (start < end && IsTrimmed(text[start])) start++;
        while (end > start && IsTrimmed(text[end - 1])) end--;
        if (end > start) Add(new TextRange(start, end - start), ref words, ref count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(TextRange word, ref TextRange[] words, ref int count)
    {
        if (count == words.Length) Array.Resize(ref words, Math.Max(16, count * 2));
        words[count++] = word;
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
