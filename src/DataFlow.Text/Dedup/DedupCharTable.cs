using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace DataFlow.Text.Dedup;

/// <summary>
/// One lookup per UTF-16 unit for dedup normalization: letters map to their lowercase base letter (diacritics
/// stripped), combining marks vanish, and everything else (spaces, punctuation, digits, symbols) separates words.
/// Built once (about 65k entries) so the hot loop does no Unicode work.
/// </summary>
public static class DedupCharTable
{
    /// <summary>Marks a unit that separates words.</summary>
    public const char Separator = '\0';

    /// <summary>Marks a unit that is dropped without separating (combining diacritics).</summary>
    public const char Dropped = '\uFFFF';

    private static readonly char[] Map = Build();

    /// <summary>What <paramref name="c"/> becomes: a lowercase base letter, <see cref="Separator"/> or <see cref="Dropped"/>.</summary>
    public static char Normalize(char c) => Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Map), c);

    /// <summary>True for Han, kana and Hangul: scripts written without spaces, shingled by characters.</summary>
    public static bool IsCjk(char c) =>
        c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\u3040' and <= '\u30FF'
            or >= '\uAC00' and <= '\uD7AF' or >= '\uF900' and <= '\uFAFF' or >= '\u1100' and <= '\u11FF';

    private static char[] Build()
    {
        var map = new char[65536];
        Span<char> one = stackalloc char[1];
        for (var i = 0; i < 65536; i++)
        {
            var c = (char)i;
            if (char.IsSurrogate(c)) { map[i] = Separator; continue; }
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark
                or UnicodeCategory.Format)
            {
                map[i] = Dropped;
                continue;
            }
            if (!char.IsLetter(c)) { map[i] = Separator; continue; }
            var lower = char.ToLowerInvariant(c);
            map[i] = lower;
            if (lower < 0x80) continue;
            one[0] = lower;
            var decomposed = new string(one).Normalize(NormalizationForm.FormD);
            if (decomposed.Length > 0 && char.IsLetter(decomposed[0]) && decomposed[0] != lower)
                map[i] = char.ToLowerInvariant(decomposed[0]);
        }
        return map;
    }
}
