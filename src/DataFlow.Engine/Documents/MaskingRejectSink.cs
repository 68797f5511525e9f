namespace DataFlow.Engine.Documents;

/// <summary>
/// Masks the reason and excerpt of every bad input record before it is written to rejects/ or shown (stats examples,
/// fail messages). The excerpt is masked whole, then cut, so a cut never exposes half a value. A bad record is raw
/// JSON, so its string escapes are decoded first (a writer that escapes '+' as \u002B would hide a phone number from the mask).
/// </summary>
public sealed class MaskingRejectSink(IRejectSink inner, Func<string, string> mask) : IRejectSink
{
    /// <summary>Characters of a masked excerpt that are kept.</summary>
    public const int MaxExcerpt = 200;

    public void Reject(Reject reject)
    {
        var excerpt = reject.Excerpt is null ? null : mask(DecodeJsonEscapes(reject.Excerpt));
        if (excerpt is { Length: > MaxExcerpt }) excerpt = excerpt[..MaxExcerpt];
        inner.Reject(reject with { Reason = mask(reject.Reason), Excerpt = excerpt });
    }

    /// <summary>\uXXXX, \/, \", \\, \n, \t, \r, \b, \f decoded; anything else left as written (the record is broken anyway).</summary>
    public static string DecodeJsonEscapes(string text)
    {
        if (!text.Contains('\\')) return text;
        var sb = new System.Text.StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '\\' || i + 1 >= text.Length) { sb.Append(c); continue; }
            char e = text[i + 1];
            if (e == 'u' && i + 5 < text.Length && ushort.TryParse(text.AsSpan(i + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var code))
            {
                sb.Append((char)code);
                i += 5;
                continue;
            }
            char? plain = e switch { '/' => '/', '"' => '"', '\\' => '\\', 'n' => '\n', 't' => '\t', 'r' => '\r', 'b' => '\b', 'f' => '\f', _ => null };
            if (plain is { } p) { sb.Append(p); i++; }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
