using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace DataFlow.Text.Dedup;

/// <summary>
/// One lookup per UTF-16 unit for dedup normalization: what a unit becomes (a lowercase base letter, a kept mark,
/// the digit '0') and its <see cref="DedupCharClass"/>. Accents of Latin, Greek and Cyrillic letters are folded
/// (precomposed letters map to their base, combining diacritics vanish); the vowel signs, viramas and other marks
/// of Brahmic and other scripts are kept, since they are part of the spelling. Built once (about 65k entries) so the
/// hot loop does no Unicode work.
/// </summary>
public static class DedupCharTable
{
    // One entry per unit: what it becomes (low 16 bits) and its class (high 16 bits), so the hot loop loads once.
    private static readonly uint[] Entries;

    static DedupCharTable()
    {
        var (map, classes) = Build();
        Entries = new uint[65536];
        for (var i = 0; i < 65536; i++) Entries[i] = map[i] | (uint)classes[i] << 16;
        AsciiIsLettersDigitsSeparators = true;
        for (var c = 0; c < 0x80; c++)
        {
            var expected = char.IsAsciiLetter((char)c) ? (DedupCharClass.Letter, (char)(c | 0x20))
                : char.IsAsciiDigit((char)c) ? (DedupCharClass.Digit, '0') : (DedupCharClass.Separator, (char)c);
            if ((classes[c], map[c]) != expected) AsciiIsLettersDigitsSeparators = false;
        }
    }

    /// <summary>
    /// True when every ASCII unit is a letter (becoming its lowercase), a digit or a separator: what the
    /// fingerprinter's ASCII block scan assumes (it classifies ASCII with vector compares, not this table).
    /// </summary>
    internal static bool AsciiIsLettersDigitsSeparators { get; }

    /// <summary>The first entry: a hot loop takes it once, so the table is not reloaded (with its class-init check) per unit.</summary>
    internal static ref uint FirstEntry => ref MemoryMarshal.GetArrayDataReference(Entries);

    /// <summary>What <paramref name="c"/> becomes when it is kept: a lowercase base letter, a mark, or '0' for any digit.</summary>
    public static char Normalize(char c) => (char)Entry(c);

    /// <summary>The role of <paramref name="c"/> in tokenization.</summary>
    public static DedupCharClass ClassOf(char c) => (DedupCharClass)(Entry(c) >> 16);

    /// <summary><see cref="Normalize"/> in the low 16 bits, <see cref="ClassOf"/> in the high 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Entry(char c) => Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Entries), c);

    /// <summary>
    /// True for the letters of scripts written without spaces between words: Han ideographs, Japanese kana, Thai,
    /// Lao, Khmer, Myanmar (Hangul is spaced and is not in the list). Each such letter is a token of its own.
    /// </summary>
    public static bool IsUnspaced(int codePoint) =>
        codePoint is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0xF900 and <= 0xFAFF // Han
            or >= 0x20000 and <= 0x3FFFF // Han extensions B and later (surrogate pairs)
            or >= 0x3040 and <= 0x30FF or >= 0x31F0 and <= 0x31FF or >= 0xFF66 and <= 0xFF9D // kana
            or >= 0x0E00 and <= 0x0E7F // Thai
            or >= 0x0E80 and <= 0x0EFF // Lao
            or >= 0x1780 and <= 0x17FF or >= 0x19E0 and <= 0x19FF // Khmer
            or >= 0x1000 and <= 0x109F or >= 0xA9E0 and <= 0xA9FF or >= 0xAA60 and <= 0xAA7F; // Myanmar

    /// <summary>Combining diacritics that accent Latin, Greek and Cyrillic letters: folded away, as é folds to e.</summary>
    private static bool IsFoldedDiacritic(int c) =>
        c is >= 0x0300 and <= 0x036F or >= 0x1AB0 and <= 0x1AFF or >= 0x1DC0 and <= 0x1DFF or >= 0x20D0 and <= 0x20FF
            or >= 0xFE20 and <= 0xFE2F;

    private static (char[], DedupCharClass[]) Build()
    {
        var map = new char[65536];
        var classes = new DedupCharClass[65536];
        Span<char> one = stackalloc char[1];
        for (var i = 0; i < 65536; i++)
        {
            var c = (char)i;
            map[i] = c;
            if (char.IsSurrogate(c)) { classes[i] = char.IsHighSurrogate(c) ? DedupCharClass.HighSurrogate : DedupCharClass.Separator; continue; }
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark)
            {
                classes[i] = IsFoldedDiacritic(i) || category == UnicodeCategory.EnclosingMark ? DedupCharClass.Dropped : DedupCharClass.Mark;
                continue;
            }
            if (category == UnicodeCategory.Format) { classes[i] = DedupCharClass.Dropped; continue; }
            if (category == UnicodeCategory.DecimalDigitNumber) { map[i] = '0'; classes[i] = DedupCharClass.Digit; continue; }
            if (!char.IsLetter(c)) { classes[i] = DedupCharClass.Separator; continue; }
            classes[i] = IsUnspaced(i) ? DedupCharClass.Unspaced : DedupCharClass.Letter;
            var lower = char.ToLowerInvariant(c);
            map[i] = lower;
            if (lower < 0x80) continue;
            one[0] = lower;
            var decomposed = new string(one).Normalize(NormalizationForm.FormD);
            // Fold only when everything after the base is an accent (é -> e); a Brahmic or Hangul decomposition keeps its letter.
            if (decomposed.Length > 1 && char.IsLetter(decomposed[0]) && decomposed.AsSpan(1).IndexOfAnyExcept(FoldedDiacritics) < 0)
                map[i] = char.ToLowerInvariant(decomposed[0]);
        }
        return (map, classes);
    }

    private static readonly System.Buffers.SearchValues<char> FoldedDiacritics = System.Buffers.SearchValues.Create(
        Enumerable.Range(0, 65536).Where(IsFoldedDiacritic).Select(i => (char)i).ToArray());
}
