using System.Text;
using DataFlow.Text.Pii;

namespace DataFlow.Tests.Pii;

/// <summary>Valid synthetic values of every type (check digits computed), from a seeded generator.</summary>
public sealed class PlantedPii(int seed)
{
    private readonly Random _r = new(seed);

    private string Digits(int n) => string.Concat(Enumerable.Range(0, n).Select(_ => (char)('0' + _r.Next(10))));
    private string Chars(string alphabet, int n) => string.Concat(Enumerable.Range(0, n).Select(_ => alphabet[_r.Next(alphabet.Length)]));
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public (PiiType Type, string Value) Next(PiiType type) => (type, type switch
    {
        PiiType.Email => _r.Next(3) switch
        {
            0 => $"{Chars("abcdefghijklmnopqrstuvwxyz", 6)}.{Chars("abcdefghijklmnopqrstuvwxyz", 5)}{_r.Next(100)}@{Chars("abcdefghijklmnopqrstuvwxyz", 7)}.com",
            1 => $"{Chars("äöüéèßabcdefgh", 7)}@{Chars("abcdefghijklmnop", 6)}.de",                          // RFC 6531 local part
            _ => $"{Chars("абвгдежзиклмнопрст", 6)}@{Chars("абвгдежзиклмнопрст", 6)}.рф",                // IDN domain
        },
        PiiType.Ipv4 => $"{_r.Next(11, 99)}.{_r.Next(256)}.{_r.Next(256)}.{_r.Next(1, 255)}",
        PiiType.Ipv6 => $"2a0{_r.Next(10)}:{_r.Next(0x1000, 0xffff):x}:{_r.Next(0x1000, 0xffff):x}::{_r.Next(1, 0xffff):x}",
        // Outside every range reserved for fiction (555-01xx, Ofcom, ARCEP, ACMA), so each must be found.
        PiiType.Phone => _r.Next(8) switch
        {
            0 => $"1{_r.Next(3, 10)}{Digits(9)}",
            1 => $"+44 20 3{Digits(3)} {Digits(4)}",
            2 => $"07911 {Digits(6)}",                                                   // UK mobile
            3 => $"030 {_r.Next(2, 10)}{Digits(7)}",                                      // DE
            4 => $"01 4{_r.Next(10)} {Digits(2)} {Digits(2)} {Digits(2)}",                  // FR
            5 => $"02 9{Digits(3)} {Digits(4)}",                                         // AU
            6 => $"98{Digits(3)} {Digits(5)}",                                           // IN mobile
            _ => $"({_r.Next(2, 10)}{_r.Next(9)}{_r.Next(10)}) {_r.Next(2, 5)}{Digits(2)}-{Digits(4)}",
        },
        PiiType.PaymentCard => Card(),
        PiiType.Iban => Iban(),
        PiiType.ChineseResidentId => ChineseId(),
        PiiType.UsSsn => _r.Next(2) == 0 ? $"{_r.Next(1, 666):D3}-{_r.Next(1, 100):D2}-{_r.Next(1, 10000):D4}" : $"{_r.Next(1, 666):D3}{_r.Next(1, 100):D2}{_r.Next(1, 10000):D4}",
        PiiType.AwsAccessKey => "AKIA" + Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
        PiiType.GitHubToken => "ghp_" + Chars(Alnum, 36),
        PiiType.GitLabToken => "glpat-" + Chars(Alnum, 20),
        PiiType.SlackToken => $"xoxb-{Digits(12)}-{Digits(13)}-{Chars(Alnum, 24)}",
        PiiType.PrivateKey => $"-----BEGIN RSA PRIVATE KEY-----\n{Chars(Alnum, 64)}\n{Chars(Alnum, 40)}==\n-----END RSA PRIVATE KEY-----",
        PiiType.Jwt => $"eyJ{Chars(Alnum, 20)}.eyJ{Chars(Alnum, 30)}.{Chars(Alnum + "_-", 43)}",
        PiiType.UrlPassword => $"{Chars("abcdefghijklmnopqrstuvwxyz", 5)}:{Chars(Alnum, 12)}",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    });

    /// <summary>The text to plant for a value: URL passwords need their URL around them.</summary>
    public static string Context((PiiType Type, string Value) v) => v.Type switch
    {
        PiiType.UrlPassword => $"postgres://{v.Value}@db.internal.example/app",
        PiiType.UsSsn when !v.Value.Contains('-') => $"SSN {v.Value}",                // without separators an SSN needs its word
        PiiType.Iban when char.IsAsciiLetterLower(v.Value[0]) && !v.Value.Contains(' ') => $"IBAN {v.Value}",
        _ => v.Value,
    };

    private string Card()
    {
        var payload = "4" + Digits(14);
        var card = payload + PiiChecksums.LuhnCheckDigit(payload);
        return $"{card[..4]} {card[4..8]} {card[8..12]} {card[12..]}";
    }

    private string Iban()
    {
        var bban = Digits(18);
        var probe = ("DE00" + bban).ToCharArray();
        int check = 98 - PiiChecksums.IbanMod97(probe);
        var iban = $"DE{check:D2}{bban}";
        if (_r.Next(2) == 0) return iban;
        // Lower case in groups of four, as people type them.
        return string.Join(' ', iban.ToLowerInvariant().Chunk(4).Select(c => new string(c)));
    }

    private string ChineseId()
    {
        var date = new DateTime(1950, 1, 1).AddDays(_r.Next(20000));
        var first17 = $"1101{Digits(2)}{date:yyyyMMdd}{Digits(3)}";
        return first17 + PiiChecksums.ChineseIdCheck(first17);
    }

    public static string Sentence(IEnumerable<(PiiType Type, string Value)> values, bool chinese)
    {
        var sb = new StringBuilder(chinese ? "用户资料如下：" : "Customer record follows: ");
        foreach (var v in values) sb.Append(chinese ? "，字段" : ", field ").Append(Context(v));
        return sb.Append(chinese ? "。" : ".").ToString();
    }
}
