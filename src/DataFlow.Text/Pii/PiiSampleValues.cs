namespace DataFlow.Text.Pii;

/// <summary>
/// Values their issuers publish for documentation, tests and fiction, so they can belong to nobody: reserved e-mail
/// domains (RFC 2606, RFC 6761), drama and fiction phone ranges (NANP 555-0100..0199, Ofcom, ARCEP, ACMA), the SSNs
/// the SSA voided after advertising, card networks' published test numbers, the IBAN registry's examples and AWS's
/// documentation key. The scanner leaves them in kept text unless asked (<see cref="PiiScanOptions.IncludeSampleValues"/>);
/// display masking still hides them.
/// </summary>
public static class PiiSampleValues
{
    private static readonly string[] ReservedDomains = ["example.com", "example.net", "example.org"];
    private static readonly string[] ReservedTlds = ["example", "test", "invalid", "localhost"];

    /// <summary>The domain (after '@') is example.com/.net/.org or under them, or its TLD is .example, .test, .invalid or .localhost.</summary>
    public static bool IsSampleEmailDomain(ReadOnlySpan<char> domain)
    {
        foreach (var d in ReservedDomains)
            if (domain.Equals(d, StringComparison.OrdinalIgnoreCase)
                || domain.Length > d.Length && domain[^(d.Length + 1)] == '.' && domain.EndsWith(d, StringComparison.OrdinalIgnoreCase))
                return true;
        int dot = domain.LastIndexOf('.');
        var tld = domain[(dot + 1)..];
        foreach (var t in ReservedTlds) if (tld.Equals(t, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    // Ofcom, "Telephone numbers for use in TV and radio drama": each prefix plus the remaining digits of a 1,000-number block.
    private static readonly string[] UkDrama =
    [
        "01134960", "01144960", "01154960", "01164960", "01174960", "01184960", "01214960", "01314960", "01414960",
        "01514960", "01614960", "01914980", "02079460", "02890180", "02920180", "01632960", "07700900", "08081570",
        "09098790", "03069990",
    ];

    // ARCEP, numbers reserved for fiction (decision 2019): 01 99 00, 02 61 91, 03 53 01, 04 65 71, 05 36 49, 06 39 98 + 4 digits.
    private static readonly string[] FrFiction = ["019900", "026191", "035301", "046571", "053649", "063998"];

    // ACMA, numbers for creative works: 0[2378] 5550 xxxx, 0[2378] 7010 xxxx, mobiles in 0491 570-579.
    private static readonly string[] AuFiction =
        ["025550", "035550", "075550", "085550", "027010", "037010", "077010", "087010", "049157"];

    /// <summary>
    /// <paramref name="digits"/>: every digit of the number as written; <paramref name="e164"/>: it was written with '+'
    /// (so it starts with a country code), otherwise it is a national number (with its trunk 0 where the country has one).
    /// </summary>
    public static bool IsSamplePhone(ReadOnlySpan<char> digits, bool e164)
    {
        if (e164)
        {
            if (digits.Length == 11 && digits[0] == '1') return NanpFiction(digits[1..]);
            Span<char> national = stackalloc char[digits.Length];
            national[0] = '0';
            var rest = digits[2..];
            rest.CopyTo(national[1..]);
            national = national[..(rest.Length + 1)];
            return digits.StartsWith("44") && StartsWithAny(national, UkDrama) && national.Length == 11
                || digits.StartsWith("33") && StartsWithAny(national, FrFiction) && national.Length == 10
                || digits.StartsWith("61") && StartsWithAny(national, AuFiction) && national.Length == 10;
        }
        if (digits.Length == 10 && digits[0] != '0') return NanpFiction(digits);
        if (digits.Length == 11 && digits[0] == '1') return NanpFiction(digits[1..]);
        return digits.Length == 11 && StartsWithAny(digits, UkDrama)
            || digits.Length == 10 && (StartsWithAny(digits, FrFiction) || StartsWithAny(digits, AuFiction));
    }

    /// <summary>NANP: exchange 555 with line 0100-0199 is reserved for fiction in every area code.</summary>
    private static bool NanpFiction(ReadOnlySpan<char> tenDigits) =>
        tenDigits.Length == 10 && tenDigits[3..].StartsWith("55501", StringComparison.Ordinal);

    private static bool StartsWithAny(ReadOnlySpan<char> digits, string[] prefixes)
    {
        foreach (var p in prefixes) if (digits.StartsWith(p, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>SSA: 078-05-1120 (the Woolworth wallet card) and 219-09-9999 (an advertisement) were voided; 987-65-4320..4329 are reserved for advertising.</summary>
    public static bool IsSampleSsn(int area, int group, int serial) =>
        area == 78 && group == 5 && serial == 1120 || area == 219 && group == 9 && serial == 9999
        || area == 987 && group == 65 && serial is >= 4320 and <= 4329;

    // Test numbers published by the card networks and processors (Visa, Mastercard, Amex, Discover, JCB, Diners; Stripe, PayPal, Adyen docs).
    private static readonly HashSet<string> TestCards =
    [
        "4111111111111111", "4012888888881881", "4222222222222", "4242424242424242", "4000056655665556",
        "5555555555554444", "5105105105105100", "5200828282828210", "2223003122003222",
        "378282246310005", "371449635398431", "378734493671000", "6011111111111117", "6011000990139424",
        "3530111333300000", "3566002020360505", "30569309025904", "38520000023237", "6200000000000005",
    ];

    public static bool IsSampleCard(ReadOnlySpan<char> digits) => TestCards.Contains(digits.ToString());

    // The IBAN registry's (and ECBS's) published examples.
    private static readonly HashSet<string> ExampleIbans =
    [
        "GB82WEST12345698765432", "GB29NWBK60161331926819", "DE89370400440532013000", "FR1420041010050500013M02606",
        "NL91ABNA0417164300", "BE68539007547034", "CH9300762011623852957", "AT611904300234573201",
        "ES9121000418450200051332", "IT60X0542811101000000123456",
    ];

    /// <summary><paramref name="compact"/>: the IBAN without spaces, upper case.</summary>
    public static bool IsSampleIban(ReadOnlySpan<char> compact) => ExampleIbans.Contains(compact.ToString());

    /// <summary>AWS documentation keys end in EXAMPLE (AKIAIOSFODNN7EXAMPLE).</summary>
    public static bool IsSampleAwsKey(ReadOnlySpan<char> key) => key.EndsWith("EXAMPLE", StringComparison.Ordinal);
}
