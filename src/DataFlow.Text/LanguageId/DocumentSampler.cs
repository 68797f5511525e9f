namespace DataFlow.Text.LanguageId;

/// <summary>
/// The bounded part of a document that language ID reads: at most <c>maxChars</c> characters (0: all), as
/// <c>slices</c> evenly spread slices cut at spaces (head, middle, tail for 3), so a book behind a licence header is
/// read as the book; 1 slice reads a prefix.
/// </summary>
public static class DocumentSampler
{
    /// <summary>The slices joined by newlines.</summary>
    public static string Sample(string text, int maxChars, int slices) => string.Join('\n', Slices(text, maxChars, slices));

    public static string[] Slices(string text, int maxChars, int slices)
    {
        if (maxChars == 0 || text.Length <= maxChars) return [text];
        if (slices == 1) return [text[..CutAtSpace(text, maxChars)]];
        var sliceLength = maxChars / slices;
        var parts = new string[slices];
        for (var s = 0; s < slices; s++)
        {
            var start = (int)((long)(text.Length - sliceLength) * s / (slices - 1));
            var space = text.IndexOf(' ', start, Math.Min(64, text.Length - start));
            if (space >= 0 && s > 0) start = space + 1;
            var length = Math.Min(sliceLength, text.Length - start);
            parts[s] = text.Substring(start, CutAtSpace(text.AsSpan(start, length), length));
        }
        return parts;
    }

    /// <summary>The length of the longest prefix of at most <paramref name="max"/> characters that ends at a space when one is past the middle.</summary>
    public static int CutAtSpace(ReadOnlySpan<char> text, int max)
    {
        if (text.Length <= max) return text.Length;
        var space = text[..max].LastIndexOfAny(' ', '\n');
        var cut = space > max / 2 ? space : max;
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1])) cut--;
        return cut;
    }
}
