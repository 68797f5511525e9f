using System.Text.RegularExpressions;

namespace DataFlow.Jobs.Quality;

/// <summary>
/// Masks e-mail addresses, URLs and long digit runs in the short excerpts recorded as stats examples, so run
/// reports do not leak PII. Only called for the first few drops per reason, so regexes are fine here.
/// (Stand-in until the PII kernels of src/DataFlow.Text/Pii are in main.)
/// </summary>
internal static partial class ExampleMasker
{
    public const int MaxExcerpt = 160;

    public static string Excerpt(string id, string text)
    {
        var flat = text.Length > MaxExcerpt * 2 ? text[..(MaxExcerpt * 2)] : text;
        flat = Mask(flat.ReplaceLineEndings(" "));
        if (flat.Length > MaxExcerpt) flat = flat[..MaxExcerpt] + "…";
        return $"{Mask(id)}: {flat}";
    }

    public static string Mask(string text)
    {
        text = Email().Replace(text, "<EMAIL>");
        text = Url().Replace(text, "<URL>");
        return Digits().Replace(text, "<NUMBER>");
    }

    [GeneratedRegex(@"[\w.+-]+@[\w-]+(\.[\w-]+)+")]
    private static partial Regex Email();

    [GeneratedRegex(@"\b(https?://|ftp://|www\.)\S+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    // Five or more digits, possibly split by spaces, dots or dashes (phone, card and account numbers).
    [GeneratedRegex(@"\d(?:[ .\-]?\d){4,}")]
    private static partial Regex Digits();
}
