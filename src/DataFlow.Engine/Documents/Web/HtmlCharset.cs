using System.Text;
using System.Text.RegularExpressions;

namespace DataFlow.Engine.Documents.Web;

/// <summary>
/// Decodes an HTML (or other text) body the way the WHATWG encoding-sniffing algorithm orders the evidence: a byte
/// order mark, then the HTTP <c>Content-Type</c> charset, then a <c>&lt;meta charset&gt;</c> or
/// <c>&lt;meta http-equiv="Content-Type" content="...; charset=..."&gt;</c> in the first 4 KB; with none of them,
/// UTF-8 when the bytes are valid UTF-8, else windows-1252 (the web's default for Latin-1 labels too).
/// </summary>
public static partial class HtmlCharset
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    static HtmlCharset() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The decoded text, the encoding's name and where the decision came from (bom, http, meta, sniffed).</summary>
    public static (string Text, string Charset, string Source) Decode(ReadOnlySpan<byte> body, string? contentType)
    {
        if (body.StartsWith([(byte)0xEF, (byte)0xBB, (byte)0xBF])) return (Encoding.UTF8.GetString(body[3..]), "utf-8", "bom");
        if (body.StartsWith([(byte)0xFF, (byte)0xFE])) return (Encoding.Unicode.GetString(body[2..]), "utf-16le", "bom");
        if (body.StartsWith([(byte)0xFE, (byte)0xFF])) return (Encoding.BigEndianUnicode.GetString(body[2..]), "utf-16be", "bom");
        if (Lookup(CharsetParameter(contentType)) is { } http) return (http.GetString(body), http.WebName, "http");
        var head = Encoding.Latin1.GetString(body[..Math.Min(body.Length, 4096)]);
        if (MetaCharset().Match(head) is { Success: true } m && Lookup(m.Groups[1].Value) is { } meta)
        {
            // A page that declares UTF-16 in a meta tag is read as UTF-8 (the tag itself was ASCII, so it cannot be UTF-16).
            if (meta is UnicodeEncoding) meta = Encoding.UTF8;
            return (meta.GetString(body), meta.WebName, "meta");
        }
        try
        {
            return (StrictUtf8.GetString(body), "utf-8", "sniffed");
        }
        catch (DecoderFallbackException)
        {
            var latin = Encoding.GetEncoding(1252);
            return (latin.GetString(body), latin.WebName, "sniffed");
        }
    }

    /// <summary>The <c>charset</c> parameter of a Content-Type value, or null.</summary>
    public static string? CharsetParameter(string? contentType)
    {
        if (contentType is null) return null;
        foreach (var part in contentType.Split(';').Skip(1))
        {
            var eq = part.IndexOf('=');
            if (eq > 0 && part[..eq].Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
                return part[(eq + 1)..].Trim().Trim('"', '\'');
        }
        return null;
    }

    /// <summary>An encoding for a label, with the WHATWG aliases that differ from .NET's names; null when unknown.</summary>
    public static Encoding? Lookup(string? label)
    {
        if (string.IsNullOrWhiteSpace(label)) return null;
        var name = label.Trim().ToLowerInvariant() switch
        {
            "utf8" or "unicode-1-1-utf-8" or "unicode11utf8" or "unicode20utf8" or "x-unicode20utf8" => "utf-8",
            "iso-8859-1" or "iso8859-1" or "latin1" or "l1" or "ascii" or "us-ascii" or "iso_8859-1" or "cp819" or "ibm819" => "windows-1252",
            "gb2312" or "gbk" or "x-gbk" or "chinese" or "csgb2312" => "gb18030",
            "x-sjis" or "sjis" or "ms_kanji" or "windows-31j" => "shift_jis",
            "iso-8859-9" or "latin5" => "windows-1254",
            "tis-620" or "iso-8859-11" => "windows-874",
            var other => other,
        };
        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"<meta\b[^>]*?\bcharset\s*=\s*[""']?\s*([A-Za-z0-9_\-:.]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MetaCharset();
}
