using System.Text;

namespace DataFlow.Text.Normalization;

/// <summary>
/// Python 3 <c>str</c> semantics that datatrove's rules rely on, for the datatrove compatibility mode:
/// whitespace as <c>str.isspace</c>, <c>str.split()</c>, <c>str.strip()</c>, <c>str.splitlines()</c> and
/// <c>len()</c> in code points (a character outside the BMP counts once).
/// </summary>
public static class PythonText
{
    /// <summary><c>str.isspace</c> for one UTF-16 unit: Unicode whitespace plus the separators U+001C..U+001F.</summary>
    public static bool IsSpace(char c) => c <= ' ' ? c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x1f'
        : c == '\u0085' || (c > '\u007f' && char.IsWhiteSpace(c));

    /// <summary><c>len(s)</c>: code points, not UTF-16 units.</summary>
    public static int Length(ReadOnlySpan<char> s)
    {
        var n = s.Length;
        foreach (var c in s)
            if (char.IsLowSurrogate(c)) n--;
        return n;
    }

    public static ReadOnlySpan<char> Strip(ReadOnlySpan<char> s)
    {
        var start = 0;
        var end = s.Length;
        while (start < end && IsSpace(s[start])) start++;
        while (end > start && IsSpace(s[end - 1])) end--;
        return s[start..end];
    }

    public static ReadOnlySpan<char> StripStart(ReadOnlySpan<char> s)
    {
        var start = 0;
        while (start < s.Length && IsSpace(s[start])) start++;
        return s[start..];
    }

    public static ReadOnlySpan<char> StripEnd(ReadOnlySpan<char> s)
    {
        var end = s.Length;
        while (end > 0 && IsSpace(s[end - 1])) end--;
        return s[..end];
    }

    /// <summary><c>str.split()</c>: the runs of non-whitespace, as ranges of <paramref name="s"/>.</summary>
    public static List<TextRange> Split(ReadOnlySpan<char> s)
    {
        var result = new List<TextRange>();
        var i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && IsSpace(s[i])) i++;
            if (i == s.Length) break;
            var start = i;
            while (i < s.Length && !IsSpace(s[i])) i++;
            result.Add(new TextRange(start, i - start));
        }
        return result;
    }

    /// <summary><c>str.splitlines()</c>: breaks at \n, \r, \r\n, \v, \f, \x1c..\x1e, \x85, U+2028, U+2029; no empty last line.</summary>
    public static List<TextRange> SplitLines(ReadOnlySpan<char> s)
    {
        var result = new List<TextRange>();
        var start = 0;
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\u0085' or '\u2028' or '\u2029')
            {
                result.Add(new TextRange(start, i - start));
                i += c == '\r' && i + 1 < s.Length && s[i + 1] == '\n' ? 2 : 1;
                start = i;
            }
            else
            {
                i++;
            }
        }
        if (start < s.Length) result.Add(new TextRange(start, s.Length - start));
        return result;
    }

    /// <summary><c>str.isalpha</c> on any code point of <paramref name="s"/> (letters of every script, outside the BMP too).</summary>
    public static bool ContainsLetter(ReadOnlySpan<char> s)
    {
        foreach (var rune in s.EnumerateRunes())
            if (Rune.IsLetter(rune)) return true;
        return false;
    }
}
