namespace DataFlow.Tests.Quality;

/// <summary>Builds test documents with exactly known word counts and lengths.</summary>
internal static class QualityTestText
{
    /// <summary>n words: "the", "and", then distinct five-letter alphabetic words (mean length near 5, two stop words).</summary>
    public static string Words(int n) => string.Join(' ', WordList(n));

    public static IEnumerable<string> WordList(int n)
    {
        for (var i = 0; i < n; i++)
            yield return i switch { 0 => "the", 1 => "and", _ => Filler(i) };
    }

    /// <summary>A distinct five-letter lower-case word for each index (letters only, so it counts as alphabetic).</summary>
    public static string Filler(int i)
    {
        Span<char> s = stackalloc char[5];
        for (var k = 4; k >= 0; k--) { s[k] = (char)('a' + i % 26); i /= 26; }
        s[0] = 'q';
        return new string(s);
    }
}
