using System.Buffers;
using System.Runtime.CompilerServices;

namespace DataFlow.Text.Pii;

/// <summary>
/// One left-to-right pass that finds personal data and secrets. It jumps (vectorized, PiiTriggerMask) to cheap trigger characters
/// ('@', ':', '+', '-', '_', digits, 'A', 'J'), then runs hand-written parsers anchored there; structure and check
/// digits decide, so numbers that only look like PII are not flagged. Needs no word boundaries, so it works inside
/// Chinese text and mixed scripts. Thread-safe: holds only its options.
/// </summary>
public sealed class PiiScanner
{
    // Every detected value contains a trigger (PiiTriggerMask) at or near its first token: digits for numbers and IPs,
    // '@' emails, ':' URLs and hex-only IPv6, '+' E.164, '-' key blocks / GitLab / Slack, '_' GitHub, 'A' AWS, 'J' JWT.

    private const int MaxGroups = 8;

    private readonly PiiScanOptions _o;

    public PiiScanner(PiiScanOptions? options = null) => _o = options ?? PiiScanOptions.Default;

    public PiiScanOptions Options => _o;

    public List<PiiMatch> Scan(string text)
    {
        var matches = new List<PiiMatch>();
        Scan(text, matches);
        return matches;
    }

    /// <summary>Appends the matches found in <paramref name="text"/>, in order and without overlaps.</summary>
    public void Scan(ReadOnlySpan<char> text, List<PiiMatch> matches)
    {
        int first = matches.Count;
        int pos = 0;
        // Triggers of the 64-character block at `block`, one bit each; bits before `pos` are cleared as the scan passes them.
        int block = 0;
        ulong mask = text.IsEmpty ? 0 : PiiTriggerMask.Block(text, 0);
        while (true)
        {
            if (pos - block >= PiiTriggerMask.BlockChars)
            {
                block = pos;
                mask = PiiTriggerMask.Block(text, block);
            }
            else mask &= ulong.MaxValue << (pos - block);
            while (mask == 0)
            {
                block += PiiTriggerMask.BlockChars;
                if (block >= text.Length) return;
                mask = PiiTriggerMask.Block(text, block);
            }
            int i = block + System.Numerics.BitOperations.TrailingZeroCount(mask);
            int next = text[i] switch
            {
                '@' => AtSign(text, i, matches, first),
                ':' => Colon(text, i, pos, matches, first),
                '+' => Plus(text, i, matches, first),
                _ => Token(text, i, pos, matches, first),
            };
            pos = next > i ? next : i + 1;
            if (pos >= text.Length) return;
        }
    }

    private static void Add(List<PiiMatch> matches, int first, PiiType type, int start, int end)
    {
        // A later, wider match (an email whose local part is a phone number) replaces what it covers.
        while (matches.Count > first && matches[^1].End > start) matches.RemoveAt(matches.Count - 1);
        matches.Add(new PiiMatch(type, start, end - start));
    }

    // ---------------------------------------------------------------- emails

    private int AtSign(ReadOnlySpan<char> t, int at, List<PiiMatch> m, int first)
    {
        if (!_o.Detects(PiiType.Email)) return at + 1;
        int ls = LocalPartStart(t, at);
        while (ls < at && t[ls] is '.' or '-' or '+') ls++;
        if (ls == at || t[at - 1] == '.') return at + 1;

        int k = at + 1, labels = 0, lastLabel = -1, end = -1;
        while (true)
        {
            int s = k;
            k = LabelEnd(t, s, out bool tooLong);
            if (tooLong || k == s || t[s] == '-' || t[k - 1] == '-') break;
            labels++;
            lastLabel = s;
            end = k;
            if (k + 1 < t.Length && t[k] == '.' && IsDomainChar(t[k + 1])) { k++; continue; }
            break;
        }
        if (labels < 2 || !IsTld(t[lastLabel..end])) return at + 1;
        if (!_o.IncludeSampleValues && PiiSampleValues.IsSampleEmailDomain(t[(at + 1)..end])) return end;
        Add(m, first, PiiType.Email, ls, end);
        return end;
    }

    /// <summary>
    /// Start of the local part before '@': ASCII atoms, or letters of any script (RFC 6531). Text in a script written
    /// without spaces runs straight into an address (联系张三zhangsan@qq.com), so a run that changes between such a script
    /// and any other keeps only the part next to '@'.
    /// </summary>
    private static int LocalPartStart(ReadOnlySpan<char> t, int at)
    {
        int ls = at, cls = 0;
        while (ls > 0 && at - ls < 64 && IsLocalChar(t[ls - 1]))
        {
            int c = ScriptClass(t[ls - 1]);
            if (c != 0 && cls != 0 && c != cls) break;
            if (c != 0) cls = c;
            ls--;
        }
        return ls;
    }

    /// <summary>End of one domain label from <paramref name="s"/>: ASCII letters, digits, '-' or letters of any script (IDN), not changing between a spaceless script and another.</summary>
    private static int LabelEnd(ReadOnlySpan<char> t, int s, out bool tooLong)
    {
        int k = s, cls = 0;
        tooLong = false;
        while (k < t.Length && IsDomainChar(t[k]))
        {
            int c = ScriptClass(t[k]);
            if (c != 0 && cls != 0 && c != cls) return k;
            if (c != 0) cls = c;
            if (k - s == 63) { tooLong = true; return k; }
            k++;
        }
        return k;
    }

    /// <summary>0 for ASCII punctuation of addresses, 1 for scripts written without spaces (CJK, kana, Thai, Lao, Khmer, Myanmar), 2 for the rest.</summary>
    private static int ScriptClass(char c) => c is '.' or '_' or '%' or '+' or '-' ? 0 : IsSpacelessScript(c) ? 1 : 2;

    private static bool IsSpacelessScript(char c) => c >= 0x0E00 && (c <= 0x0EFF || c is >= '\u1000' and <= '\u109F' || c is >= '\u1780' and <= '\u17FF'
        || c is >= '\u2E80' and <= '\u2FDF' || c is >= '\u3005' and <= '\u3007' || c is >= '\u3040' and <= '\u31FF' || c is >= '\u3400' and <= '\u4DBF'
        || c is >= '\u4E00' and <= '\u9FFF' || c is >= '\uF900' and <= '\uFAFF' || c is >= '\uFF66' and <= '\uFF9F');

    /// <summary>ASCII letters (not a file extension), a Unicode TLD (letters and marks: рф, 中国, भारत), or its xn-- form.</summary>
    private static bool IsTld(ReadOnlySpan<char> tld)
    {
        if (tld.Length is < 2 or > 63) return false;
        if (tld.StartsWith("xn--", StringComparison.OrdinalIgnoreCase))
            return tld.Length > 5 && !tld[4..].ContainsAnyExcept(AsciiLowerDigitHyphen);
        if (!tld.ContainsAnyExcept(AsciiLetters)) return tld.Length <= 24 && !IsFileExtension(tld);
        foreach (var c in tld) if (c < 0x80 || !(char.IsLetter(c) || IsMark(c))) return false;
        return true;
    }

    private static readonly SearchValues<char> AsciiLowerDigitHyphen = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    private static bool IsMark(char c) => char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark
        or System.Globalization.UnicodeCategory.SpacingCombiningMark;

    private static bool IsNonAsciiWordChar(char c) => c >= 0x80 && (char.IsLetterOrDigit(c) || IsMark(c));

    private static readonly SearchValues<char> AsciiLetters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly string[] FileExtensions =
        ["png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "pdf", "txt", "js", "css", "html", "htm", "json", "xml", "md", "py", "cs", "ts"];

    // Retina asset names (icon@2x.png) and package specs look like emails; a file extension is never a TLD we care about.
    private static bool IsFileExtension(ReadOnlySpan<char> tld)
    {
        foreach (var ext in FileExtensions) if (tld.Equals(ext, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static bool IsLocalChar(char c) => IsLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-' || IsNonAsciiWordChar(c);

    private static bool IsDomainChar(char c) => IsLetterOrDigit(c) || c == '-' || IsNonAsciiWordChar(c);

    // ---------------------------------------------------------------- ':' (URLs with credentials, hex-only IPv6)

    private int Colon(ReadOnlySpan<char> t, int i, int pos, List<PiiMatch> m, int first)
    {
        if (i + 2 < t.Length && t[i + 1] == '/' && t[i + 2] == '/') return UrlAuthority(t, i, m, first);
        if (!_o.Detects(PiiType.Ipv6)) return i + 1;
        int s = i;
        while (s > 0 && i - s < 4 && IsHex(t[s - 1])) s--;
        if (s < pos) return i + 1;
        if (s == i && !(i + 1 < t.Length && t[i + 1] == ':')) return i + 1;
        if (s > 0 && BlocksIpv6(t[s - 1])) return i + 1;
        int end = TryIpv6(t, s, m, first);
        return end > 0 ? end : i + 1;
    }

    private static readonly SearchValues<char> UrlAuthorityStops = SearchValues.Create("/?#\"'<>` \t\r\n\f\v");

    private int UrlAuthority(ReadOnlySpan<char> t, int colon, List<PiiMatch> m, int first)
    {
        int a = colon + 3;
        int ss = colon;
        while (ss > 0 && colon - ss < 32 && (IsLetterOrDigit(t[ss - 1]) || t[ss - 1] is '+' or '.' or '-')) ss--;
        while (ss < colon && !IsLetter(t[ss])) ss++;
        if (ss == colon) return colon + 1;

        const string slack = "hooks.slack.com/services/";
        if (_o.Detects(PiiType.SlackToken) && t[a..].StartsWith(slack, StringComparison.Ordinal))
        {
            int e = a + slack.Length;
            while (e < t.Length && (IsLetterOrDigit(t[e]) || t[e] is '/' or '_' or '-')) e++;
            if (e - (a + slack.Length) >= 20)
            {
                Add(m, first, PiiType.SlackToken, ss, e);
                return e;
            }
        }
        if (!_o.Detects(PiiType.UrlPassword)) return a;
        var rest = t[a..Math.Min(t.Length, a + 256)];
        int stop = rest.IndexOfAny(UrlAuthorityStops);
        var authority = stop < 0 ? rest : rest[..stop];
        int atRel = authority.LastIndexOf('@');
        if (atRel <= 0) return a;
        int colonRel = authority[..atRel].IndexOf(':');
        if (colonRel < 0 || colonRel + 1 == atRel) return a;          // no password, or an empty one
        int at = a + atRel;
        if (at + 1 >= t.Length || !(IsLetterOrDigit(t[at + 1]) || t[at + 1] == '[')) return a;
        Add(m, first, PiiType.UrlPassword, a, at);
        return at + 1;
    }

    // ---------------------------------------------------------------- IPv6

    private static bool BlocksIpv6(char c) => IsLetterOrDigit(c) || c is ':' or '.' or '_' or '-';

    private int TryIpv6(ReadOnlySpan<char> t, int s, List<PiiMatch> m, int first)
    {
        Span<ushort> h = stackalloc ushort[8];
        int count = 0, gap = -1, k = s, n = t.Length;
        if (t[k] == ':')
        {
            if (k + 1 < n && t[k + 1] == ':') { gap = 0; k += 2; }
            else return -1;
        }
        while (count < 8)
        {
            int hs = k, v = 0;
            while (k < n && k - hs < 4 && IsHex(t[k])) { v = v * 16 + HexValue(t[k]); k++; }
            if (k == hs) break;
            if (k < n && IsHex(t[k])) return -1;
            if (k + 1 < n && t[k] == '.' && IsDigit(t[k + 1]) && count <= 6
                && TryIpv4(t, hs, out uint v4, out int e4))
            {
                h[count++] = (ushort)(v4 >> 16);
                h[count++] = (ushort)v4;
                k = e4;
                break;
            }
            h[count++] = (ushort)v;
            if (k + 1 < n && t[k] == ':' && t[k + 1] == ':')
            {
                if (gap >= 0) return -1;
                gap = count;
                k += 2;
                continue;
            }
            if (k + 1 < n && t[k] == ':' && IsHex(t[k + 1])) { k++; continue; }
            break;
        }
        if (gap < 0 ? count != 8 : count > 7) return -1;
        if (k < n && (IsLetterOrDigit(t[k]) || t[k] == '_' || t[k] == ':' && k + 1 < n && (IsHex(t[k + 1]) || t[k + 1] == ':')))
            return -1;
        Span<ushort> full = stackalloc ushort[8];
        if (gap < 0) h.CopyTo(full);
        else
        {
            h[..gap].CopyTo(full);
            h[gap..count].CopyTo(full[(8 - (count - gap))..]);
        }
        if (!IpRanges.FlagIpv6(full, _o)) return k;                // a real address, just not one we report: consume it
        Add(m, first, PiiType.Ipv6, s, k);
        return k;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>Dotted quad without leading zeros, each part 0..255, not followed by more digits or another '.digit'.</summary>
    private static bool TryIpv4(ReadOnlySpan<char> t, int s, out uint address, out int end)
    {
        address = 0;
        end = s;
        int k = s;
        for (int part = 0; part < 4; part++)
        {
            if (part > 0)
            {
                if (k >= t.Length || t[k] != '.') return false;
                k++;
            }
            int ds = k, v = 0;
            while (k < t.Length && IsDigit(t[k]) && k - ds < 4) { v = v * 10 + (t[k] - '0'); k++; }
            int len = k - ds;
            if (len is 0 or > 3 || v > 255 || len > 1 && t[ds] == '0') return false;
            address = (address << 8) | (uint)v;
        }
        if (k < t.Length && (IsLetterOrDigit(t[k]) || t[k] == '_')) return false;
        if (k + 1 < t.Length && t[k] == '.' && IsDigit(t[k + 1])) return false;
        if (k + 1 < t.Length && t[k] is '-' or '_' or '+' && IsLetterOrDigit(t[k + 1])) return false;   // 2.6.20.1-rc2: a version
        end = k;
        return true;
    }

    // ---------------------------------------------------------------- '+': E.164 phone numbers

    private int Plus(ReadOnlySpan<char> t, int i, List<PiiMatch> m, int first)
    {
        int n = t.Length;
        if (!_o.Detects(PiiType.Phone) || i + 1 >= n || t[i + 1] is < '1' or > '9') return i + 1;
        if (i > 0 && (IsLetterOrDigit(t[i - 1]) || t[i - 1] is '+' or '_')) return i + 1;
        Span<int> ends = stackalloc int[MaxGroups];
        Span<int> digitsAt = stackalloc int[MaxGroups];
        int g = 0, k = i + 1, digits = 0;
        while (g < MaxGroups)
        {
            int save = k;
            bool paren = false;
            if (g > 0)
            {
                if (k < n && t[k] is ' ' or '-' or '.') k++;
                if (k < n && t[k] == '(') { paren = true; k++; }
            }
            int ds = k;
            while (k < n && IsDigit(t[k]) && k - ds < 15) k++;
            if (k == ds || k < n && IsDigit(t[k])) { k = save; break; }
            digits += k - ds;
            if (paren)
            {
                if (k < n && t[k] == ')') k++;
                else { k = save; break; }
            }
            ends[g] = k;
            digitsAt[g] = digits;
            g++;
            if (k >= n || t[k] is not (' ' or '-' or '.' or '(' or ')')) break;
            if (t[k] == ')') break;
        }
        for (int last = g - 1; last >= 0; last--)
        {
            if (digitsAt[last] is < 8 or > 15) continue;
            int e = ends[last];
            if (last < g - 1 && t[e] != ' ') continue;                 // the number runs on: not a prefix we can cut
            if (e < n && (IsLetterOrDigit(t[e]) || t[e] == '_')) continue;
            if (!_o.IncludeSampleValues && IsSampleE164(t[(i + 1)..e])) return e;
            Add(m, first, PiiType.Phone, i, e);
            return e;
        }
        return g > 0 ? ends[g - 1] : i + 1;
    }

    private static bool IsSampleE164(ReadOnlySpan<char> written)
    {
        Span<char> digits = stackalloc char[written.Length];
        int n = 0;
        foreach (var c in written) if (IsDigit(c)) digits[n++] = c;
        return PiiSampleValues.IsSamplePhone(digits[..n], e164: true);
    }

    // ---------------------------------------------------------------- tokens: numbers, key prefixes, IBAN, JWT, key blocks

    private static bool IsTokenChar(char c) => IsLetterOrDigit(c) || c is '_' or '-';

    private static int TokenEnd(ReadOnlySpan<char> t, int i)
    {
        int k = i;
        while (k < t.Length && IsTokenChar(t[k])) k++;
        return k > i ? k : i + 1;
    }

    private int Token(ReadOnlySpan<char> t, int i, int pos, List<PiiMatch> m, int first)
    {
        int ws = i;
        while (ws > 0 && i - ws < 128 && IsTokenChar(t[ws - 1])) ws--;
        if (ws < pos) return TokenEnd(t, i);
        char c0 = t[ws];
        int end = -1;
        if (IsDigit(c0)) end = DigitToken(t, ws, m, first);
        else if (IsLetter(c0)) end = LetterToken(t, ws, m, first);
        else if (c0 == '-') end = KeyBlock(t, ws, m, first);
        return end > i ? end : TokenEnd(t, i);
    }

    private int LetterToken(ReadOnlySpan<char> t, int ws, List<PiiMatch> m, int first)
    {
        var s = t[ws..];
        if (s.Length < 4) return -1;
        char c0 = s[0];
        if (c0 == 'A' && (s.StartsWith("AKIA") || s.StartsWith("ASIA")) && _o.Detects(PiiType.AwsAccessKey))
        {
            int k = 4;
            while (k < s.Length && k < 21 && (IsUpper(s[k]) || s[k] is >= '2' and <= '7')) k++;
            if (k == 20 && (k == s.Length || !IsTokenChar(s[k])))
                return !_o.IncludeSampleValues && PiiSampleValues.IsSampleAwsKey(s[..20]) ? ws + 20 : Found(m, first, PiiType.AwsAccessKey, ws, ws + 20);
        }
        else if (c0 == 'g' && _o.Detects(PiiType.GitHubToken) && s[1] == 'h' && s[3] == '_' && s[2] is 'p' or 'o' or 'u' or 's' or 'r')
        {
            int k = Run(s, 4, IsLetterOrDigit);
            if (k - 4 == 36 && (k == s.Length || !IsTokenChar(s[k]))) return Found(m, first, PiiType.GitHubToken, ws, ws + k);
        }
        else if (c0 == 'g' && s.StartsWith("github_pat_") && _o.Detects(PiiType.GitHubToken))
        {
            int k = Run(s, 11, c => IsLetterOrDigit(c) || c == '_');
            if (k - 11 >= 60 && (k == s.Length || s[k] != '-')) return Found(m, first, PiiType.GitHubToken, ws, ws + k);
        }
        else if (c0 == 'g' && s[1] == 'l' && _o.Detects(PiiType.GitLabToken))
        {
            int p = s.StartsWith("glpat-") ? 6 : s.StartsWith("glptt-") ? 6 : s.StartsWith("gldt-") ? 5 : s.StartsWith("glrt-") ? 5 : 0;
            if (p > 0)
            {
                int k = Run(s, p, IsTokenChar);
                if (k - p >= 20) return Found(m, first, PiiType.GitLabToken, ws, ws + k);
            }
        }
        else if (c0 == 'x' && _o.Detects(PiiType.SlackToken)
            && (s.Length > 5 && s.StartsWith("xox") && s[3] is 'a' or 'b' or 'p' or 'o' or 's' or 'r' && s[4] == '-' || s.StartsWith("xapp-")))
        {
            int k = Run(s, 5, c => IsLetterOrDigit(c) || c == '-');
            if (k - 5 >= 15 && (k == s.Length || s[k] != '_')) return Found(m, first, PiiType.SlackToken, ws, ws + k);
        }
        else if (c0 == 'e' && s[1] == 'y' && s[2] == 'J' && _o.Detects(PiiType.Jwt))
        {
            int end = TryJwt(t, ws);
            if (end > 0) return Found(m, first, PiiType.Jwt, ws, end);
        }

        if (IsLetter(c0) && IsLetter(s[1]) && IsUpper(c0) == IsUpper(s[1])
            && IsDigit(s[2]) && IsDigit(s[3]) && _o.Detects(PiiType.Iban))
        {
            int end = TryIban(t, ws);
            if (end > 0) return Found(m, first, PiiType.Iban, ws, end);
            if (end < -1) return -end;                                   // IBAN-shaped with a bad checksum: its groups are not cards
        }
        if (_o.Detects(PiiType.Ipv6) && HexThenColon(s) && (ws == 0 || !BlocksIpv6(t[ws - 1])))
            return TryIpv6(t, ws, m, first);
        return -1;
    }

    private static int Found(List<PiiMatch> m, int first, PiiType type, int start, int end)
    {
        Add(m, first, type, start, end);
        return end;
    }

    private static int Run(ReadOnlySpan<char> s, int from, Func<char, bool> accept)
    {
        int k = from;
        while (k < s.Length && accept(s[k])) k++;
        return k;
    }

    private static bool HexThenColon(ReadOnlySpan<char> s)
    {
        int k = 0;
        while (k < s.Length && k < 5 && IsHex(s[k])) k++;
        return k is > 0 and <= 4 && k < s.Length && s[k] == ':';
    }

    private static bool IsBase64Url(char c) => IsLetterOrDigit(c) || c is '_' or '-';

    private static int TryJwt(ReadOnlySpan<char> t, int s)
    {
        int k = s;
        for (int part = 0; part < 3; part++)
        {
            int ps = k;
            while (k < t.Length && IsBase64Url(t[k])) k++;
            if (k - ps < (part == 2 ? 16 : 10)) return -1;
            if (part < 2)
            {
                if (k >= t.Length || t[k] != '.') return -1;
                k++;
            }
        }
        if (k + 1 < t.Length && t[k] == '.' && IsBase64Url(t[k + 1])) return -1;
        return k;
    }

    /// <summary>
    /// An IBAN from <paramref name="s"/>: upper case, or lower case throughout (letters and country code alike), compact
    /// or in groups of four; returns its end, minus its end when it has the shape but not the checksum (or is a published
    /// example), or -1. A compact lower-case IBAN needs the word IBAN before it: 22 lower-case letters and digits are
    /// more often an identifier, and mod 97 alone passes one in 97 of them.
    /// </summary>
    private int TryIban(ReadOnlySpan<char> t, int s)
    {
        bool lower = IsLower(t[s]);
        int len = PiiChecksums.IbanLength(char.ToUpperInvariant(t[s]), char.ToUpperInvariant(t[s + 1]));
        if (len == 0) return -1;
        Span<char> buf = stackalloc char[34];
        int got = 0, k = s;
        bool grouped = false;
        while (got < len && k < t.Length)
        {
            char c = t[k];
            if (IsDigit(c) || (lower ? IsLower(c) : IsUpper(c))) { buf[got++] = char.ToUpperInvariant(c); k++; }
            else if (c == ' ' && got % 4 == 0 && k + 1 < t.Length && IsLetterOrDigit(t[k + 1])) { k++; grouped = true; }
            else break;
        }
        if (got != len || k < t.Length && IsTokenChar(t[k])) return -1;
        if (lower && !grouped && !HasContextBefore(t, s, IbanWords)) return -1;
        var iban = buf[..got];
        if (!PiiChecksums.IbanValid(iban) || !_o.IncludeSampleValues && PiiSampleValues.IsSampleIban(iban)) return -k;
        return k;
    }

    private static readonly string[] IbanWords = ["iban"];

    private static readonly string[] SsnWords = ["ssn", "ssns", "ss#", "ss no", "social security", "soc. sec", "soc sec"];

    /// <summary>One of <paramref name="words"/> (lower case, whole words) within the 40 characters before <paramref name="start"/>.</summary>
    private static bool HasContextBefore(ReadOnlySpan<char> t, int start, string[] words)
    {
        int from = Math.Max(0, start - 40);
        Span<char> lower = stackalloc char[start - from];
        t[from..start].ToLowerInvariant(lower);
        foreach (var w in words)
        {
            int at = 0;
            while (true)
            {
                int rel = lower[at..].IndexOf(w, StringComparison.Ordinal);
                if (rel < 0) break;
                int b = at + rel, e = b + w.Length;
                if ((b == 0 ? from == 0 || !IsLetter(t[from - 1]) : !IsLetter(lower[b - 1]))
                    && (e == lower.Length || !IsLetter(lower[e]) || w.EndsWith('#')))
                    return true;
                at = b + 1;
            }
        }
        return false;
    }

    private int KeyBlock(ReadOnlySpan<char> t, int s, List<PiiMatch> m, int first)
    {
        const string begin = "-----BEGIN ";
        if (!_o.Detects(PiiType.PrivateKey) || !t[s..].StartsWith(begin, StringComparison.Ordinal)) return -1;
        int labelStart = s + begin.Length;
        var head = t[labelStart..Math.Min(t.Length, labelStart + 64)];
        int close = head.IndexOf("-----", StringComparison.Ordinal);
        if (close < 0 || !head[..close].Contains("PRIVATE KEY", StringComparison.Ordinal)) return -1;
        int bodyStart = labelStart + close + 5;
        var body = t[bodyStart..Math.Min(t.Length, bodyStart + 65536)];
        int endMarker = body.IndexOf("-----END ", StringComparison.Ordinal);
        int e;
        if (endMarker >= 0)
        {
            int tailStart = bodyStart + endMarker + 9;
            var tail = t[tailStart..Math.Min(t.Length, tailStart + 64)];
            int tailClose = tail.IndexOf("-----", StringComparison.Ordinal);
            e = tailClose >= 0 ? tailStart + tailClose + 5 : tailStart;
        }
        else
        {
            // A truncated block: take the base64 body that follows the header.
            e = bodyStart;
            while (e < t.Length && e - bodyStart < 65536 && (IsLetterOrDigit(t[e]) || t[e] is '+' or '/' or '=' or '\r' or '\n' or ' ' or ':' or '-' or ','))
                e++;
        }
        return Found(m, first, PiiType.PrivateKey, s, e);
    }

    // ---------------------------------------------------------------- numbers: IPv4, SSN, resident ID, cards, phones

    private enum Verdict { None, Match, Consume }

    private ref struct Cluster
    {
        public Span<int> Start;
        public Span<int> Len;
        public Span<char> SepBefore;
        public int Count;
        public bool Paren0;       // first group is an area code in parentheses: (415) 555-0123, （010）12345678
        public bool TrailingX;    // the last group is 17 digits + X (resident ID)
    }

    private int DigitToken(ReadOnlySpan<char> t, int ws, List<PiiMatch> m, int first)
    {
        int n = t.Length;
        if (_o.Detects(PiiType.Ipv6) && HexThenColon(t[ws..]) && (ws == 0 || !BlocksIpv6(t[ws - 1])))
        {
            int e6 = TryIpv6(t, ws, m, first);
            if (e6 > 0) return e6;
        }
        var c = new Cluster
        {
            Start = stackalloc int[MaxGroups],
            Len = stackalloc int[MaxGroups],
            SepBefore = stackalloc char[MaxGroups + 1],
        };
        int clusterEnd = ParseCluster(t, ws, ref c);
        if (clusterEnd < 0) return -clusterEnd;

        // Continuation of a number we already passed over (3.14159..., 1,000,000, a card's later groups).
        if (ws >= 2 && IsDigit(t[ws - 2]) && t[ws - 1] is '.' or ',' or ' ' or '/' or ':' or '\u00a0'
            && !(m.Count > first && m[^1].End == ws - 1))
            return clusterEnd;
        if (ws >= 1 && t[ws - 1] is '.' or '+' && !c.Paren0) return clusterEnd;

        // Every shape but the dotted quad (four groups) needs 9 or more digits: shorter numbers (years, counts, dates) end here.
        int clusterDigits = 0;
        for (int g = 0; g < c.Count; g++) clusterDigits += c.Len[g];
        if (clusterDigits < 9 && c.Count < 4) return clusterEnd;

        Span<char> digits = stackalloc char[MaxGroups * 19 + 1];
        for (int a = 0; a < c.Count; a++)
        {
            if (a > 0 && !(c.SepBefore[a] == ' ' && c.Len[a - 1] <= 3)) continue;
            for (int k = c.Count - a; k >= 1; k--)
            {
                int endGroup = a + k - 1;
                int end = c.Start[endGroup] + c.Len[endGroup] + (endGroup == c.Count - 1 && c.TrailingX ? 1 : 0);
                if (a + k < c.Count ? c.SepBefore[a + k] != ' ' : end < n && (IsLetterOrDigit(t[end]) || t[end] == '_')) continue;
                bool paren = a == 0 && c.Paren0;
                var verdict = Classify(t, ref c, a, k, paren, digits, out var type);
                if (verdict == Verdict.Consume) return clusterEnd;
                if (verdict == Verdict.Match)
                {
                    int start = paren ? c.Start[0] - 1 : c.Start[a];
                    Add(m, first, type, start, end);
                    return end;
                }
            }
        }
        return clusterEnd;
    }

    /// <summary>Digit groups joined by single separators. Returns the cluster end, or minus the end of a run too long to be anything.</summary>
    private static int ParseCluster(ReadOnlySpan<char> t, int ws, ref Cluster c)
    {
        int n = t.Length, k = ws;
        c.Count = 0;
        while (c.Count < MaxGroups)
        {
            int gs = k;
            while (k < n && IsDigit(t[k])) k++;
            if (k - gs > 19)
            {
                while (k < n && IsDigit(t[k])) k++;
                return -k;
            }
            c.Start[c.Count] = gs;
            c.Len[c.Count] = k - gs;
            c.Count++;
            if (k - gs == 17 && k < n && t[k] is 'X' or 'x' && (k + 1 >= n || !IsLetterOrDigit(t[k + 1])))
            {
                c.TrailingX = true;
                return k + 1;
            }
            if (c.Count == 1 && k - gs is 3 or 4 && gs > 0 && t[gs - 1] is '(' or '（' && k < n && t[k] is ')' or '）')
            {
                int j = k + 1;
                if (j < n && t[j] is ' ' or '-') j++;
                if (j < n && IsDigit(t[j]))
                {
                    c.Paren0 = true;
                    c.SepBefore[c.Count] = ')';
                    k = j;
                    continue;
                }
                return k;
            }
            if (k + 1 < n && t[k] is ' ' or '-' or '.' or '/' && IsDigit(t[k + 1]))
            {
                c.SepBefore[c.Count] = t[k];
                k++;
                continue;
            }
            return k;
        }
        return k;
    }

    private Verdict Classify(ReadOnlySpan<char> t, ref Cluster c, int a, int k, bool paren, Span<char> buffer, out PiiType type)
    {
        type = default;
        int total = 0;
        for (int g = a; g < a + k; g++)
        {
            t.Slice(c.Start[g], c.Len[g]).CopyTo(buffer[total..]);
            total += c.Len[g];
        }
        bool x = a + k == c.Count && c.TrailingX;
        if (x) buffer[total++] = char.ToUpperInvariant(t[c.Start[a + k - 1] + c.Len[a + k - 1]]);
        var d = buffer[..total];
        int len0 = c.Len[a];
        char sep = k > 1 ? c.SepBefore[a + 1] : '\0';
        bool sameSep = true;
        for (int g = a + 2; g < a + k; g++) sameSep &= c.SepBefore[g] == sep;

        if (paren)
        {
            // (415) 555-0123 and (010) 12345678 / （0755）1234567
            if (!_o.Detects(PiiType.Phone)) return Verdict.Consume;
            if (k == 3 && len0 == 3 && c.Len[a + 1] == 3 && c.Len[a + 2] == 4 && c.SepBefore[a + 2] is '-' or ' ' or '.' && NorthAmerican(d))
                return Phone(d, out type);
            if (k == 2 && d[0] == '0' && ChineseLandline(d, len0)) return Phone(d, out type);
            return Verdict.None;
        }
        if (x) return k == 1 && total == 18 && _o.Detects(PiiType.ChineseResidentId) && PiiChecksums.ChineseIdValid(d)
            ? Found(PiiType.ChineseResidentId, out type) : Verdict.Consume;

        // Dotted quads are addresses (reported or not); never reread them as phone numbers.
        if (k == 4 && sep == '.' && sameSep)
        {
            int s0 = c.Start[a];
            int end = c.Start[a + 3] + c.Len[a + 3];
            if (TryIpv4(t, s0, out uint v4, out int e4) && e4 == end)
                return _o.Detects(PiiType.Ipv4) && IpRanges.FlagIpv4(v4, _o) && !AfterVersionWord(t, s0) ? Found(PiiType.Ipv4, out type) : Verdict.Consume;
        }
        if (k == 3 && len0 == 3 && c.Len[a + 1] == 2 && c.Len[a + 2] == 4 && sameSep && sep is '-' or ' ')
        {
            if (!_o.Detects(PiiType.UsSsn)) return Verdict.Consume;
            return Ssn(d, out type);
        }
        // Nine digits in a row are an SSN only right after a word that says so ("SSN: 123456789", "social security no. ...").
        if (k == 1 && total == 9 && _o.Detects(PiiType.UsSsn) && HasContextBefore(t, c.Start[a], SsnWords))
            return Ssn(d, out type);
        if (k == 1 && total == 18 && _o.Detects(PiiType.ChineseResidentId) && PiiChecksums.ChineseIdValid(d))
            return Found(PiiType.ChineseResidentId, out type);
        if (total is >= 13 and <= 19)
        {
            bool grouped = k > 1 && sameSep && sep is ' ' or '-';
            bool shaped = k == 1 || grouped && AllLengthsBetween(ref c, a, k - 1, 3, 6) && c.Len[a + k - 1] <= 6;
            if (shaped && _o.Detects(PiiType.PaymentCard) && PiiChecksums.IsKnownCardIssuer(d) && PiiChecksums.Luhn(d))
                return !_o.IncludeSampleValues && PiiSampleValues.IsSampleCard(d) ? Verdict.Consume : Found(PiiType.PaymentCard, out type);
            if (shaped && grouped && k >= 3) return Verdict.Consume;   // a card-shaped number that fails the checks: no prefix of it either
        }
        if (!_o.Detects(PiiType.Phone)) return Verdict.None;
        // Space-separated groups that run on into more groups are a table or a hex dump, not a phone number.
        if (k > 1 && sep == ' ' && a + k < c.Count) return Verdict.None;
        if (total == 11 && d[0] == '1' && d[1] is >= '3' and <= '9'
            && (k == 1 || k == 3 && sameSep && sep is ' ' or '-' && len0 == 3 && c.Len[a + 1] == 4))
            return Phone(d, out type);                                                      // Chinese mobile
        if (sameSep && sep is '-' or '.' or ' ')
        {
            if (k == 3 && len0 == 3 && c.Len[a + 1] == 3 && c.Len[a + 2] == 4 && NorthAmerican(d)) return Phone(d, out type);
            if (k == 4 && len0 == 1 && d[0] == '1' && c.Len[a + 1] == 3 && c.Len[a + 2] == 3 && c.Len[a + 3] == 4 && NorthAmerican(d[1..]))
                return Phone(d, out type);
        }
        if (k == 2 && sep is '-' or ' ' && d[0] == '0' && ChineseLandline(d, len0)) return Phone(d, out type);
        if (k >= 2 && sameSep)
        {
            // International prefix 00 (0044 20 7946 0958), then national forms by numbering plan (NationalPhonePlans).
            if (d[0] == '0' && d[1] == '0' && len0 is >= 3 and <= 5 && total - 2 is >= 8 and <= 15 && sep == ' ' && d[2] != '0') return Phone(d, out type);
            Span<int> lengths = stackalloc int[k];
            for (int g = 0; g < k; g++) lengths[g] = c.Len[a + g];
            if (NationalPhonePlans.Matches(d, lengths, sep) && !(AllLengthsBetween(ref c, a, k, 2, 2) && AfterHexByte(t, c.Start[a])))
                return Phone(d, out type);
        }
        return Verdict.None;
    }

    /// <summary>A phone number, unless it is one reserved for fiction and samples are not asked for (then nothing else may claim it).</summary>
    private Verdict Phone(ReadOnlySpan<char> digits, out PiiType type)
    {
        type = PiiType.Phone;
        return !_o.IncludeSampleValues && PiiSampleValues.IsSamplePhone(digits, e164: false) ? Verdict.Consume : Verdict.Match;
    }

    /// <summary>AAAGGSSSS under the SSA's rules; a voided advertising number is consumed unless samples are asked for.</summary>
    private Verdict Ssn(ReadOnlySpan<char> d, out PiiType type)
    {
        type = PiiType.UsSsn;
        int area = Num(d[..3]), group = Num(d.Slice(3, 2)), serial = Num(d.Slice(5, 4));
        if (!PiiChecksums.UsSsnValid(area, group, serial)) return Verdict.Consume;
        return !_o.IncludeSampleValues && PiiSampleValues.IsSampleSsn(area, group, serial) ? Verdict.Consume : Verdict.Match;
    }

    private static Verdict Found(PiiType found, out PiiType type)
    {
        type = found;
        return Verdict.Match;
    }

    private static readonly string[] VersionWords = ["version", "ver", "v", "release", "build", "kernel", "linux", "版本", "版本号"];

    /// <summary>"version 10.0.19.1", "Linux 2.6.18.8": a dotted quad named as a version is not an address.</summary>
    private static bool AfterVersionWord(ReadOnlySpan<char> t, int start)
    {
        int e = start;
        while (e > 0 && start - e < 3 && t[e - 1] is ' ' or ':' or '：') e--;
        int b = e;
        while (b > 0 && e - b < 8 && char.IsLetter(t[b - 1])) b--;
        if (b == e) return false;
        var word = t[b..e];
        foreach (var w in VersionWords)
            if (word.EndsWith(w, StringComparison.OrdinalIgnoreCase) && (word.Length == w.Length || w.Length > 1 && !IsLetter(word[^(w.Length + 1)])))
                return true;
        return false;
    }

    /// <summary>"3c 04 24 10 89 44": pairs of digits after a hex byte are a hex dump, not a French number.</summary>
    private static bool AfterHexByte(ReadOnlySpan<char> t, int start) =>
        start >= 3 && t[start - 1] == ' ' && IsHex(t[start - 2]) && IsHex(t[start - 3])
        && (start == 3 || !IsLetterOrDigit(t[start - 4]));

    private static bool AllLengthsBetween(ref Cluster c, int a, int k, int min, int max)
    {
        for (int g = a; g < a + k; g++) if (c.Len[g] < min || c.Len[g] > max) return false;
        return true;
    }

    /// <summary>NANP: area code [2-9][0-8]d, exchange [2-9]dd.</summary>
    private static bool NorthAmerican(ReadOnlySpan<char> d) =>
        d.Length == 10 && d[0] >= '2' && d[1] != '9' && d[3] >= '2';

    /// <summary>010 and 02X take 8-digit numbers; 0[3-9]XX take 7 or 8; local numbers start with 2-9.</summary>
    private static bool ChineseLandline(ReadOnlySpan<char> d, int areaLength)
    {
        int local = d.Length - areaLength;
        if (d[areaLength] is < '2' or > '9') return false;
        if (areaLength == 3) return (d[1] == '1' && d[2] == '0' || d[1] == '2') && local == 8;
        if (areaLength == 4) return d[1] >= '3' && local is 7 or 8;
        return false;
    }

    private static int Num(ReadOnlySpan<char> digits)
    {
        int v = 0;
        foreach (var ch in digits) v = v * 10 + (ch - '0');
        return v;
    }

    // ASCII classes written here rather than char.IsAscii*: the ReadyToRun image does not inline those across the
    // framework boundary, and a task runs the precompiled scanner for most of its life (bench corpus: 80 -> 72 ms a pass).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsLetter(char c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsLetterOrDigit(char c) => IsLetter(c) || IsDigit(c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsUpper(char c) => (uint)(c - 'A') <= 'Z' - 'A';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsLower(char c) => (uint)(c - 'a') <= 'z' - 'a';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsHex(char c) => IsDigit(c) || (uint)((c | 0x20) - 'a') <= 'f' - 'a';
}
