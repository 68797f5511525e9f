using System.Text;

namespace DataFlow.Text.Pii;

/// <summary>
/// Masks every detectable value (all types, every IP range) with its tag, for text shown in stats, reports,
/// rejects and logs. Over-masking is harmless there; a leak is not.
/// </summary>
public static class PiiMask
{
    private static readonly PiiScanner Scanner = new(PiiScanOptions.Everything);

    /// <summary>Returns <paramref name="text"/> with each detected value replaced by its tag, e.g. "mail &lt;EMAIL&gt; now".</summary>
    public static string ForDisplay(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var matches = Scanner.Scan(text);
        return matches.Count == 0 ? text : Replace(text, matches);
    }

    /// <summary>Masks, then cuts to at most <paramref name="maxChars"/> characters (masking first, so a cut never exposes half a value).</summary>
    public static string ForDisplay(string? text, int maxChars)
    {
        var masked = ForDisplay(text);
        return masked.Length <= maxChars ? masked : masked[..maxChars] + "…";
    }

    internal static string Replace(string text, List<PiiMatch> matches)
    {
        var sb = new StringBuilder(text.Length);
        int pos = 0;
        foreach (var m in matches)
        {
            sb.Append(text, pos, m.Start - pos).Append(PiiTypes.Tag(m.Type));
            pos = m.End;
        }
        return sb.Append(text, pos, text.Length - pos).ToString();
    }
}
