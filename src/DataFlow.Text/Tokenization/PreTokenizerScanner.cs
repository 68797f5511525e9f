using System.Globalization;
using System.Text.RegularExpressions;

namespace DataFlow.Text.Tokenization;

/// <summary>
/// Splits text into the pieces a pre-tokenizer regex matches (words are never merged across pieces). GPT-2's and
/// cl100k's patterns have hand-written scanners that give exactly the matches .NET's regex gives (UTF-16 characters
/// classified by <see cref="CharUnicodeInfo"/>, as the regex does); any other pattern runs through a compiled
/// <see cref="Regex"/>, whose unmatched gaps are dropped as Microsoft.ML.Tokenizers' RegexPreTokenizer drops them.
/// </summary>
public abstract class PreTokenizerScanner
{
    /// <summary>The regex this scanner implements.</summary>
    public abstract string Pattern { get; }

    /// <summary>Writes the pieces of <paramref name="text"/> as (start, length) pairs into <paramref name="pieces"/>, growing it as needed; returns how many.</summary>
    public abstract int Split(ReadOnlySpan<char> text, ref int[] pieces);

    /// <summary>The hand-written scanner of a known pattern, else a compiled regex.</summary>
    public static PreTokenizerScanner For(string pattern) => pattern switch
    {
        PreTokenizerPatterns.Gpt2 => new Gpt2PreTokenizerScanner(),
        PreTokenizerPatterns.Cl100k => new Cl100kPreTokenizerScanner(),
        _ => new RegexPreTokenizerScanner(pattern),
    };

    /// <summary>Character classes as the regex sees them: \p{L}, \p{N}, \s, and [\r\n].</summary>
    [Flags]
    private protected enum CharKind : byte
    {
        Other = 0,
        Letter = 1,
        Number = 2,
        Space = 4,
        LineBreak = 8,
    }

    private static readonly CharKind[] Kinds = BuildKinds();

    private protected static CharKind KindOf(char c) => Kinds[c];

    private protected static bool IsLetter(char c) => (Kinds[c] & CharKind.Letter) != 0;

    private protected static bool IsNumber(char c) => (Kinds[c] & CharKind.Number) != 0;

    private protected static bool IsSpace(char c) => (Kinds[c] & CharKind.Space) != 0;

    /// <summary>[^\s\p{L}\p{N}]: punctuation, symbols, controls that are not white space, surrogates (an emoji's halves), unassigned.</summary>
    private protected static bool IsOther(char c) => Kinds[c] == CharKind.Other;

    private protected static void Add(ref int[] pieces, int count, int start, int length)
    {
        if (2 * count + 2 > pieces.Length) Array.Resize(ref pieces, Math.Max(64, pieces.Length * 2));
        pieces[2 * count] = start;
        pieces[2 * count + 1] = length;
    }

    /// <summary>End of the \s+(?!\S) or \s+ match at <paramref name="start"/> (a white-space character).</summary>
    private protected static int SpaceRunEnd(ReadOnlySpan<char> text, int start)
    {
        var end = start + 1;
        while (end < text.Length && IsSpace(text[end])) end++;
        // \s+(?!\S) gives the last space back to the word after it, unless the run is a single space; at the end it keeps all.
        return end < text.Length && end - 1 > start ? end - 1 : end;
    }

    private static CharKind[] BuildKinds()
    {
        var kinds = new CharKind[char.MaxValue + 1];
        for (var c = 0; c <= char.MaxValue; c++)
        {
            var ch = (char)c;
            var kind = CharUnicodeInfo.GetUnicodeCategory(ch) switch
            {
                UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                    or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharKind.Letter,
                UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharKind.Number,
                _ => CharKind.Other,
            };
            // .NET's \s is [\f\n\r\t\v\x85\p{Z}], which is exactly char.IsWhiteSpace.
            if (char.IsWhiteSpace(ch)) kind |= CharKind.Space;
            if (ch is '\r' or '\n') kind |= CharKind.LineBreak;
            kinds[c] = kind;
        }
        return kinds;
    }
}
