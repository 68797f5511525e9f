namespace DataFlow.Text.Normalization;

/// <summary>
/// Han, Kana and Hangul characters. Text in these scripts has no spaces between words, so every such character
/// counts as one word of its own (a stable, dictionary-free proxy: Chinese words average 1.5 to 2 characters).
/// </summary>
public static class CjkCharacters
{
    /// <summary>True for a BMP Han, Hiragana, Katakana or Hangul character (including the iteration marks 々 and 〇).</summary>
    public static bool IsWordCharacter(char c) =>
        c >= '\u1100' && (
            c <= '\u11ff'                                  // Hangul Jamo
            || (c >= '\u2e80' && c <= '\u2fdf')            // CJK and Kangxi radicals
            || c is '\u3005' or '\u3007'                   // 々 〇
            || (c >= '\u3040' && c <= '\u30ff')            // Hiragana, Katakana
            || (c >= '\u3130' && c <= '\u318f')            // Hangul compatibility Jamo
            || (c >= '\u31f0' && c <= '\u31ff')            // Katakana phonetic extensions
            || (c >= '\u3400' && c <= '\u4dbf')            // CJK extension A
            || (c >= '\u4e00' && c <= '\u9fff')            // CJK unified ideographs
            || (c >= '\ua960' && c <= '\ua97f')            // Hangul Jamo extended A
            || (c >= '\uac00' && c <= '\ud7ff')            // Hangul syllables, Jamo extended B
            || (c >= '\uf900' && c <= '\ufaff')            // CJK compatibility ideographs
            || (c >= '\uff66' && c <= '\uff9f'));          // half-width Katakana

    /// <summary>True for a supplementary-plane Han ideograph (extensions B to H, U+20000..U+323AF).</summary>
    public static bool IsWordCodePoint(int codePoint) =>
        codePoint < 0x10000 ? IsWordCharacter((char)codePoint) : codePoint is >= 0x20000 and <= 0x323AF;

    /// <summary>Length (1 or 2 code units) of the CJK character starting at <paramref name="index"/>, or 0 if none starts there.</summary>
    public static int LengthAt(ReadOnlySpan<char> text, int index)
    {
        var c = text[index];
        if (c < '\u1100') return 0;
        if (IsWordCharacter(c)) return 1;
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1])
            && IsWordCodePoint(char.ConvertToUtf32(c, text[index + 1])))
            return 2;
        return 0;
    }
}
