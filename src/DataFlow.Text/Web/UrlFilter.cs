using System.Globalization;
using System.Text;

namespace DataFlow.Text.Web;

/// <summary>The lists a <see cref="UrlFilter"/> decides by; entries as block lists ship them (see <see cref="UrlFilter"/>).</summary>
public sealed record UrlFilterLists
{
    /// <summary>Domains blocked with all their subdomains (UT1 <c>domains</c> files, one domain per line).</summary>
    public IReadOnlyCollection<string> BlockedDomains { get; init; } = [];

    /// <summary>URLs blocked (UT1 <c>urls</c> files: host/path without scheme, matching that page and the paths below it; or full URLs).</summary>
    public IReadOnlyCollection<string> BlockedUrls { get; init; } = [];

    /// <summary>Domains always kept, with their subdomains (checked first).</summary>
    public IReadOnlyCollection<string> AllowedDomains { get; init; } = [];

    /// <summary>A URL containing any of these as a whole word is dropped.</summary>
    public IReadOnlyCollection<string> BannedWords { get; init; } = [];

    /// <summary>A URL containing at least <see cref="SoftWordThreshold"/> of these (distinct) as whole words is dropped.</summary>
    public IReadOnlyCollection<string> SoftBannedWords { get; init; } = [];

    public int SoftWordThreshold { get; init; } = 2;

    /// <summary>A URL whose letters and digits, run together, contain any of these is dropped.</summary>
    public IReadOnlyCollection<string> BannedSubwords { get; init; } = [];
}

/// <summary>
/// Keeps or drops a document by its URL, as datatrove's URLFilter does, with block lists in the formats they ship in.
/// In order: an allowed domain keeps it (<c>null</c>); a blocked domain, or any parent domain of the host, drops it
/// (<c>domain</c>); a blocked URL drops it (<c>url</c>): the URL itself, or without scheme and <c>www.</c> the same
/// host and path or a path below it; a banned word among the URL's words (lower-cased runs of ASCII letters and
/// digits) drops it (<c>banned_word</c>); <see cref="UrlFilterLists.SoftWordThreshold"/> distinct soft-banned words
/// drop it (<c>soft_banned_words</c>); a banned subword inside the URL's letters and digits run together drops it
/// (<c>banned_subword</c>). A URL that does not parse is <c>bad_url</c>. Hosts are compared lower-cased, without port
/// or trailing dot, internationalised names in their ASCII (punycode) form; list entries likewise.
/// </summary>
public sealed class UrlFilter
{
    private static readonly IdnMapping Idn = new();
    private readonly HashSet<string> _blockedDomains;
    private readonly HashSet<string> _allowedDomains;
    private readonly HashSet<string> _blockedUrls;
    private readonly HashSet<string> _bannedWords;
    private readonly HashSet<string> _softWords;
    private readonly string[] _subwords;
    private readonly int _softThreshold;

    public UrlFilter(UrlFilterLists lists)
    {
        _blockedDomains = lists.BlockedDomains.Select(NormalizeHost).Where(h => h.Length > 0).ToHashSet(StringComparer.Ordinal);
        _allowedDomains = lists.AllowedDomains.Select(NormalizeHost).Where(h => h.Length > 0).ToHashSet(StringComparer.Ordinal);
        _blockedUrls = lists.BlockedUrls.Select(u => u.Trim()).Where(u => u.Length > 0).SelectMany(UrlKeys).ToHashSet(StringComparer.Ordinal);
        _bannedWords = lists.BannedWords.Select(Squash).Where(w => w.Length > 0).ToHashSet(StringComparer.Ordinal);
        _softWords = lists.SoftBannedWords.Select(Squash).Where(w => w.Length > 0).ToHashSet(StringComparer.Ordinal);
        _subwords = lists.BannedSubwords.Select(Squash).Where(w => w.Length > 0).Distinct().ToArray();
        _softThreshold = Math.Max(1, lists.SoftWordThreshold);
    }

    /// <summary>Null to keep, else the reason (domain, url, banned_word, soft_banned_words, banned_subword, bad_url).</summary>
    public string? Check(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Host.Length == 0) return "bad_url";
        var host = NormalizeHost(uri.Host);
        if (UnderAny(host, _allowedDomains)) return null;
        if (UnderAny(host, _blockedDomains)) return "domain";
        if (_blockedUrls.Count > 0 && BlockedUrl(url.Trim(), host, uri)) return "url";
        if (_bannedWords.Count > 0 || _softWords.Count > 0)
        {
            var words = Words(url);
            if (words.Overlaps(_bannedWords)) return "banned_word";
            if (_softWords.Count > 0 && words.Count(_softWords.Contains) >= _softThreshold) return "soft_banned_words";
        }
        if (_subwords.Length > 0)
        {
            var squashed = Squash(url);
            foreach (var w in _subwords)
                if (squashed.Contains(w, StringComparison.Ordinal)) return "banned_subword";
        }
        return null;
    }

    private static bool UnderAny(string host, HashSet<string> domains)
    {
        if (domains.Count == 0) return false;
        for (var h = host; ; )
        {
            if (domains.Contains(h)) return true;
            var dot = h.IndexOf('.');
            if (dot < 0) return false;
            h = h[(dot + 1)..];
        }
    }

    private bool BlockedUrl(string url, string host, Uri uri)
    {
        if (_blockedUrls.Contains(url)) return true;
        // host/path without scheme and www., then each parent path: a listed path blocks the pages below it.
        var path = Uri.UnescapeDataString(uri.AbsolutePath).TrimEnd('/');
        var key = StripWww(host) + path;
        if (_blockedUrls.Contains(key + uri.Query)) return true;
        while (true)
        {
            if (_blockedUrls.Contains(key)) return true;
            var slash = key.LastIndexOf('/');
            if (slash < 0) return false;
            key = key[..slash];
        }
    }

    /// <summary>A list entry's lookup keys: as written (full URL) and as host/path without scheme and www.</summary>
    private static IEnumerable<string> UrlKeys(string entry)
    {
        yield return entry;
        var rest = entry.Contains("://", StringComparison.Ordinal) ? entry[(entry.IndexOf("://", StringComparison.Ordinal) + 3)..] : entry;
        var slash = rest.IndexOf('/');
        var host = NormalizeHost(slash < 0 ? rest : rest[..slash]);
        var path = slash < 0 ? "" : Uri.UnescapeDataString(rest[slash..]).TrimEnd('/');
        yield return StripWww(host) + path;
    }

    private static string StripWww(string host) => host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host;

    /// <summary>Lower-case ASCII host: no port, no trailing dot, punycode for internationalised labels.</summary>
    public static string NormalizeHost(string host)
    {
        host = host.Trim().TrimEnd('.').ToLowerInvariant();
        var colon = host.LastIndexOf(':');
        if (colon > 0 && !host.Contains(']', StringComparison.Ordinal)) host = host[..colon];
        if (host.Any(c => c > 127))
        {
            try
            {
                host = Idn.GetAscii(host);
            }
            catch (ArgumentException)
            {
            }
        }
        return host;
    }

    /// <summary>The URL's words: lower-cased runs of ASCII letters and digits.</summary>
    private static HashSet<string> Words(string url)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        var start = -1;
        for (var i = 0; i <= url.Length; i++)
        {
            var alnum = i < url.Length && char.IsAsciiLetterOrDigit(url[i]);
            if (alnum && start < 0) start = i;
            else if (!alnum && start >= 0)
            {
                words.Add(url[start..i].ToLowerInvariant());
                start = -1;
            }
        }
        return words;
    }

    /// <summary>Only the ASCII letters and digits, lower-cased (datatrove's normalize).</summary>
    private static string Squash(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
            if (char.IsAsciiLetterOrDigit(c)) sb.Append(char.ToLowerInvariant(c));
        return sb.ToString();
    }
}
