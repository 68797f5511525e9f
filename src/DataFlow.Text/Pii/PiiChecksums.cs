namespace DataFlow.Text.Pii;

/// <summary>The check-digit and structure rules that separate real identifiers from numbers that only look like them.</summary>
public static class PiiChecksums
{
    public static bool Luhn(ReadOnlySpan<char> digits)
    {
        int sum = 0;
        bool twice = false;
        for (int i = digits.Length - 1; i >= 0; i--)
        {
            int d = digits[i] - '0';
            if ((uint)d > 9) return false;
            if (twice) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }

    /// <summary>The digit that makes <paramref name="payload"/> followed by it pass the Luhn check.</summary>
    public static char LuhnCheckDigit(ReadOnlySpan<char> payload)
    {
        int sum = 0;
        bool twice = true;
        for (int i = payload.Length - 1; i >= 0; i--)
        {
            int d = payload[i] - '0';
            if (twice) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
            twice = !twice;
        }
        return (char)('0' + (10 - sum % 10) % 10);
    }

    /// <summary>Known issuer prefix with a length that issuer uses (Visa, Mastercard, Amex, Discover, JCB, UnionPay, Diners, Maestro, Mir).</summary>
    public static bool IsKnownCardIssuer(ReadOnlySpan<char> d)
    {
        int n = d.Length;
        int p2 = (d[0] - '0') * 10 + (d[1] - '0');
        int p3 = p2 * 10 + (d[2] - '0');
        int p4 = p3 * 10 + (d[3] - '0');
        if (d[0] == '4') return n is 13 or 16 or 19;                                   // Visa
        if (p2 is >= 51 and <= 55 || p4 is >= 2221 and <= 2720) return n == 16;       // Mastercard
        if (p2 is 34 or 37) return n == 15;                                            // American Express
        if (p4 == 6011 || p2 == 65 || p3 is >= 644 and <= 649) return n is >= 16 and <= 19; // Discover
        if (p4 is >= 3528 and <= 3589) return n is >= 16 and <= 19;                   // JCB
        if (p2 == 62) return n is >= 16 and <= 19;                                     // UnionPay
        if (p3 is >= 300 and <= 305 || p2 is 36 or 38 or 39) return n is >= 14 and <= 19; // Diners Club
        if (p4 is 5018 or 5020 or 5038 or 5893 or 6304 or 6759 or 6761 or 6762 or 6763) return n is >= 13 and <= 19; // Maestro
        if (p4 is >= 2200 and <= 2204) return n is >= 16 and <= 19;                   // Mir
        return false;
    }

    /// <summary>ISO 7064 MOD 97-10 over the IBAN with its first four characters moved to the end (letters as 10..35).</summary>
    public static int IbanMod97(ReadOnlySpan<char> iban)
    {
        int rem = 0;
        for (int k = 0; k < iban.Length; k++)
        {
            char c = iban[(k + 4) % iban.Length];
            if (c is >= '0' and <= '9') rem = (rem * 10 + (c - '0')) % 97;
            else if (c is >= 'A' and <= 'Z') rem = (rem * 100 + (c - 'A' + 10)) % 97;
            else return -1;
        }
        return rem;
    }

    public static bool IbanValid(ReadOnlySpan<char> compact) => IbanMod97(compact) == 1;

    /// <summary>IBAN length for a country code (SWIFT registry), or 0 when the country does not use IBAN.</summary>
    public static int IbanLength(char a, char b) => (a, b) switch
    {
        ('A', 'D') => 24, ('A', 'E') => 23, ('A', 'L') => 28, ('A', 'T') => 20, ('A', 'Z') => 28,
        ('B', 'A') => 20, ('B', 'E') => 16, ('B', 'G') => 22, ('B', 'H') => 22, ('B', 'R') => 29, ('B', 'Y') => 28,
        ('C', 'H') => 21, ('C', 'R') => 22, ('C', 'Y') => 28, ('C', 'Z') => 24,
        ('D', 'E') => 22, ('D', 'K') => 18, ('D', 'O') => 28,
        ('E', 'E') => 20, ('E', 'G') => 29, ('E', 'S') => 24,
        ('F', 'I') => 18, ('F', 'O') => 18, ('F', 'R') => 27,
        ('G', 'B') => 22, ('G', 'E') => 22, ('G', 'I') => 23, ('G', 'L') => 18, ('G', 'R') => 27, ('G', 'T') => 28,
        ('H', 'R') => 21, ('H', 'U') => 28,
        ('I', 'E') => 22, ('I', 'L') => 23, ('I', 'Q') => 23, ('I', 'S') => 26, ('I', 'T') => 27,
        ('J', 'O') => 30, ('K', 'W') => 30, ('K', 'Z') => 20,
        ('L', 'B') => 28, ('L', 'C') => 32, ('L', 'I') => 21, ('L', 'T') => 20, ('L', 'U') => 20, ('L', 'V') => 21,
        ('M', 'C') => 27, ('M', 'D') => 24, ('M', 'E') => 22, ('M', 'K') => 19, ('M', 'R') => 27, ('M', 'T') => 31, ('M', 'U') => 30,
        ('N', 'L') => 18, ('N', 'O') => 15,
        ('P', 'K') => 24, ('P', 'L') => 28, ('P', 'S') => 29, ('P', 'T') => 25,
        ('Q', 'A') => 29, ('R', 'O') => 24, ('R', 'S') => 22,
        ('S', 'A') => 24, ('S', 'C') => 31, ('S', 'E') => 24, ('S', 'I') => 19, ('S', 'K') => 24, ('S', 'M') => 27, ('S', 'V') => 28,
        ('T', 'L') => 23, ('T', 'N') => 24, ('T', 'R') => 26,
        ('U', 'A') => 29, ('V', 'A') => 22, ('V', 'G') => 24, ('X', 'K') => 20,
        _ => 0,
    };

    private static ReadOnlySpan<byte> IdWeights => [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    /// <summary>ISO 7064 MOD 11-2 check character of the first 17 digits of a Chinese resident ID.</summary>
    public static char ChineseIdCheck(ReadOnlySpan<char> first17)
    {
        int sum = 0;
        for (int i = 0; i < 17; i++) sum += (first17[i] - '0') * IdWeights[i];
        return "10X98765432"[sum % 11];
    }

    /// <summary>18 characters: province code, a real birth date (1900..2099), and the MOD 11-2 check character.</summary>
    public static bool ChineseIdValid(ReadOnlySpan<char> id)
    {
        if (id.Length != 18) return false;
        for (int i = 0; i < 17; i++) if (!char.IsAsciiDigit(id[i])) return false;
        int province = (id[0] - '0') * 10 + (id[1] - '0');
        if (province is not (>= 11 and <= 15 or >= 21 and <= 23 or >= 31 and <= 37 or >= 41 and <= 46
            or >= 50 and <= 54 or >= 61 and <= 65 or 71 or 81 or 82 or 83)) return false;
        int year = Num(id.Slice(6, 4)), month = Num(id.Slice(10, 2)), day = Num(id.Slice(12, 2));
        if (year is < 1900 or > 2099 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        char check = char.ToUpperInvariant(id[17]);
        return check == ChineseIdCheck(id[..17]);
    }

    /// <summary>SSA: area 001-899 except 666, group 01-99, serial 0001-9999 (voided advertising numbers: <see cref="PiiSampleValues.IsSampleSsn"/>).</summary>
    public static bool UsSsnValid(int area, int group, int serial) =>
        area is > 0 and < 900 && area != 666 && group > 0 && serial > 0;

    private static int Num(ReadOnlySpan<char> digits)
    {
        int v = 0;
        foreach (var c in digits) v = v * 10 + (c - '0');
        return v;
    }
}
