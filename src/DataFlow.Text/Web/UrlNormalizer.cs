namespace DataFlow.Text.Web;

/// <summary>
/// The key URL dedup compares: two URLs of the same page map to the same string. The scheme is dropped for http and
/// https (the same page is often crawled under both) and kept, lower-cased, for any other; the host is lower-cased,
/// in its ASCII (punycode) form, without a trailing dot; a default port (80, 443) is dropped; the fragment is dropped;
/// the path is as <see cref="Uri"/> canonicalizes it (dot segments resolved) without a trailing slash, so "/" and ""
/// are one; tracking parameters (utm_*, fbclid, gclid, dclid, gbraid, wbraid, msclkid, yclid, mc_cid, mc_eid, _ga)
/// are removed from the query, the other parameters kept in their order. Text that is not an absolute URL with a host
/// is its own key, trimmed.
/// </summary>
public static class UrlNormalizer
{
    private static readonly HashSet<string> TrackingParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid", "_ga",
    };

    public static string Normalize(string url)
    {
        var trimmed = url.Trim();
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || uri.Host.Length == 0) return trimmed;
        var scheme = uri.Scheme.ToLowerInvariant();
        var key = new System.Text.StringBuilder(trimmed.Length);
        if (scheme is not ("http" or "https")) key.Append(scheme).Append("://");
        key.Append(uri.IdnHost.ToLowerInvariant().TrimEnd('.'));
        if (!uri.IsDefaultPort && uri.Port is not (80 or 443) && uri.Port >= 0) key.Append(':').Append(uri.Port);
        var path = uri.AbsolutePath.TrimEnd('/');
        key.Append(path);
        var query = uri.Query.TrimStart('?');
        if (query.Length > 0)
        {
            var kept = query.Split('&').Where(p => p.Length > 0 && !IsTracking(p)).ToList();
            if (kept.Count > 0) key.Append('?').Append(string.Join('&', kept));
        }
        return key.ToString();
    }

    private static bool IsTracking(string parameter)
    {
        var equals = parameter.IndexOf('=');
        var name = equals < 0 ? parameter : parameter[..equals];
        return name.StartsWith("utm_", StringComparison.OrdinalIgnoreCase) || TrackingParameters.Contains(name);
    }
}
