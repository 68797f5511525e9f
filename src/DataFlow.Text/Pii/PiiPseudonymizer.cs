using System.Security.Cryptography;
using System.Text;

namespace DataFlow.Text.Pii;

/// <summary>
/// Consistent pseudonyms: the fake value is derived from HMAC-SHA256(key, type + value), so the same value maps to
/// the same fake within a run (every task shares the key) while nobody without the key can link it back. The fake
/// keeps the shape of the original (separators, lengths, known prefixes) and, where a check digit exists, passes it.
/// The key lives only in memory.
/// </summary>
public sealed class PiiPseudonymizer
{
    private readonly byte[] _key;

    public PiiPseudonymizer(byte[] key)
    {
        if (key.Length < 16) throw new ArgumentException("a pseudonym key needs at least 16 bytes", nameof(key));
        _key = (byte[])key.Clone();
    }

    /// <summary>The key from a passphrase (UTF-8), as config or an environment variable gives it.</summary>
    public static PiiPseudonymizer FromPassphrase(string passphrase)
    {
        if (passphrase.Length < 16) throw new ArgumentException("a pseudonym key needs at least 16 characters", nameof(passphrase));
        return new PiiPseudonymizer(Encoding.UTF8.GetBytes(passphrase));
    }

    public string Pseudonym(PiiType type, ReadOnlySpan<char> value)
    {
        var bytes = new ByteStream(_key, type, value);
        var s = value.ToArray();
        switch (type)
        {
            case PiiType.Email:
                {
                    // Local part and domain labels become lower-case letters and digits of the same lengths; '@', the dots between labels and the TLD stay.
                    int at = Array.LastIndexOf(s, '@');
                    int lastDot = Array.LastIndexOf(s, '.');
                    Replace(s, 0, at, LowerAlnum, keep: null, ref bytes);
                    Replace(s, at + 1, lastDot < at ? s.Length : lastDot, Lower, keep: ".", ref bytes);
                    break;
                }
            case PiiType.Ipv4:
                return $"{1 + bytes.Next() % 223}.{bytes.Next()}.{bytes.Next()}.{1 + bytes.Next() % 254}";
            case PiiType.Ipv6:
                for (int i = 0; i < s.Length; i++)
                    if (char.IsAsciiHexDigit(s[i])) s[i] = (char.IsAsciiLetterUpper(s[i]) ? "0123456789ABCDEF" : "0123456789abcdef")[bytes.Next() % 16];
                break;
            case PiiType.Phone:
                Substitute(s, SkipDigits(s, 2), s.Length, ref bytes);
                break;
            case PiiType.PaymentCard:
                Substitute(s, SkipDigits(s, 1), s.Length, ref bytes);
                FixCheckDigit(s);
                break;
            case PiiType.Iban:
                Substitute(s, 4, s.Length, ref bytes);
                FixIbanCheck(s);
                break;
            case PiiType.UrlPassword:
                {
                    // user:password -> a user name of letters and digits and a password of letters and digits, lengths kept: no punctuation of either survives.
                    int colon = Array.IndexOf(s, ':');
                    Replace(s, 0, colon < 0 ? s.Length : colon, LowerAlnum, keep: null, ref bytes);
                    if (colon >= 0) Replace(s, colon + 1, s.Length, Alnum, keep: null, ref bytes);
                    break;
                }
            case PiiType.ChineseResidentId:
                return ChineseId(s, ref bytes);
            case PiiType.UsSsn:
                return UsSsn(s, ref bytes);
            case PiiType.AwsAccessKey:
                for (int i = 4; i < s.Length; i++) s[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[bytes.Next() % 32];
                break;
            case PiiType.GitHubToken:
                Substitute(s, Array.LastIndexOf(s, '_', Math.Min(s.Length - 1, 10)) + 1, s.Length, ref bytes);
                break;
            case PiiType.GitLabToken:
                Replace(s, Array.IndexOf(s, '-') + 1, s.Length, Base64Url, keep: null, ref bytes);
                break;
            case PiiType.SlackToken:
                {
                    var text = new string(s);
                    int services = text.IndexOf("services/", StringComparison.Ordinal);
                    Substitute(s, services >= 0 ? services + 9 : Array.IndexOf(s, '-') + 1, s.Length, ref bytes);
                    break;
                }
            case PiiType.PrivateKey:
                {
                    // The BEGIN/END lines stay; every base64 character of the body becomes a random one ('+' and '/' included), line breaks and padding stay.
                    int bodyStart = Array.IndexOf(s, '\n') + 1;
                    int footer = new string(s).LastIndexOf("-----END", StringComparison.Ordinal);
                    Replace(s, bodyStart, footer > bodyStart ? footer : s.Length, Base64, keep: "\r\n=:, -", ref bytes);
                    break;
                }
            case PiiType.Jwt:
                Replace(s, 3, s.Length, Base64Url, keep: ".", ref bytes);
                break;
            default:
                Substitute(s, 0, s.Length, ref bytes);
                break;
        }
        return new string(s);
    }

    private const string Lower = "abcdefghijklmnopqrstuvwxyz";
    private const string LowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string Base64 = Alnum + "+/";
    private const string Base64Url = Alnum + "-_";

    /// <summary>Every character in [from, to) not in <paramref name="keep"/> becomes a keyed pick from <paramref name="alphabet"/>.</summary>
    private static void Replace(char[] s, int from, int to, string alphabet, string? keep, ref ByteStream bytes)
    {
        for (int i = from; i < to; i++)
            if (keep is null || !keep.Contains(s[i])) s[i] = alphabet[bytes.Next() % alphabet.Length];
    }

    private static int SkipDigits(char[] s, int count)
    {
        int i = 0;
        for (; i < s.Length && count > 0; i++) if (char.IsAsciiDigit(s[i])) count--;
        return i;
    }

    private static void Substitute(char[] s, int from, int to, ref ByteStream bytes)
    {
        for (int i = from; i < to; i++)
        {
            char c = s[i];
            if (char.IsAsciiDigit(c)) s[i] = (char)('0' + bytes.Next() % 10);
            else if (char.IsAsciiLetterLower(c)) s[i] = (char)('a' + bytes.Next() % 26);
            else if (char.IsAsciiLetterUpper(c)) s[i] = (char)('A' + bytes.Next() % 26);
        }
    }

    private static void FixCheckDigit(char[] s)
    {
        var digits = s.Where(char.IsAsciiDigit).ToArray();
        int last = Array.FindLastIndex(s, char.IsAsciiDigit);
        s[last] = PiiChecksums.LuhnCheckDigit(digits.AsSpan(0, digits.Length - 1));
    }

    private static void FixIbanCheck(char[] s)
    {
        var compact = s.Where(c => c != ' ').Select(char.ToUpperInvariant).ToArray();
        compact[2] = '0';
        compact[3] = '0';
        int check = 98 - PiiChecksums.IbanMod97(compact);
        s[2] = (char)('0' + check / 10);
        s[3] = (char)('0' + check % 10);
    }

    private static string ChineseId(char[] s, ref ByteStream bytes)
    {
        var id = new char[18];
        id[0] = s[0];
        id[1] = s[1];
        for (int i = 2; i < 6; i++) id[i] = (char)('0' + bytes.Next() % 10);
        var birth = new DateTime(1940, 1, 1).AddDays((bytes.Next() << 8 | bytes.Next()) % 25000);
        birth.ToString("yyyyMMdd").CopyTo(0, id, 6, 8);
        for (int i = 14; i < 17; i++) id[i] = (char)('0' + bytes.Next() % 10);
        id[17] = PiiChecksums.ChineseIdCheck(id.AsSpan(0, 17));
        return new string(id);
    }

    private static string UsSsn(char[] s, ref ByteStream bytes)
    {
        int area = 1 + (bytes.Next() << 8 | bytes.Next()) % 898;
        if (area >= 666) area++;
        int group = 1 + bytes.Next() % 99;
        int serial = 1 + (bytes.Next() << 8 | bytes.Next()) % 9999;
        if (s.Length == 9) return $"{area:D3}{group:D2}{serial:D4}";                  // written without separators
        char sep = s.Length > 3 && !char.IsAsciiDigit(s[3]) ? s[3] : '-';
        return $"{area:D3}{sep}{group:D2}{sep}{serial:D4}";
    }

    /// <summary>Keyed bytes for one value: HMAC-SHA256(key, type || value), extended by hashing the seed with a counter.</summary>
    private ref struct ByteStream
    {
        private readonly byte[] _seed;
        private byte[] _block;
        private int _used;
        private int _counter;

        public ByteStream(byte[] key, PiiType type, ReadOnlySpan<char> value)
        {
            var input = new byte[1 + Encoding.UTF8.GetMaxByteCount(value.Length)];
            input[0] = (byte)type;
            int n = Encoding.UTF8.GetBytes(value, input.AsSpan(1));
            _seed = HMACSHA256.HashData(key, input.AsSpan(0, n + 1));
            _block = _seed;
            _used = 0;
            _counter = 0;
        }

        public int Next()
        {
            if (_used == _block.Length)
            {
                var input = new byte[_seed.Length + 4];
                _seed.CopyTo(input, 0);
                BitConverter.TryWriteBytes(input.AsSpan(_seed.Length), ++_counter);
                _block = SHA256.HashData(input);
                _used = 0;
            }
            return _block[_used++];
        }
    }
}
