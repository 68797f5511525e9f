namespace DataFlow.Text.Pii;

/// <summary>
/// Phone numbers written in national format (no '+'), accepted only in the digit counts and groupings their numbering
/// plans give them, so an ordinary run of numbers is not taken. The plans (docs/pii.md cites them): UK (Ofcom National
/// Telephone Numbering Plan), Germany (BNetzA), France (ARCEP), Australia (ACMA Numbering Plan 2015), India (DoT
/// National Numbering Plan 2003). North American and Chinese forms are parsed in <see cref="PiiScanner"/>.
/// </summary>
public static class NationalPhonePlans
{
    /// <summary>
    /// <paramref name="d"/>: the digits; <paramref name="groups"/>: the lengths of the digit groups as written;
    /// <paramref name="sep"/>: the one separator between them (' ', '.' or '/').
    /// </summary>
    public static bool Matches(ReadOnlySpan<char> d, ReadOnlySpan<int> groups, char sep) =>
        sep == ' ' && (UnitedKingdom(d, groups) || Australia(d, groups) || India(d, groups))
        || sep is ' ' or '/' && GermanyOrIndiaLandline(d, groups)
        || sep is ' ' or '.' && France(d, groups);

    /// <summary>
    /// Trunk 0 + a 10-digit national number starting 1, 2, 3, 5, 7, 8 or 9 (01/02 geographic, 03 non-geographic,
    /// 05/08 freephone and shared cost, 07 mobile, 09 premium) as 3-4-4 (02x), 4-3-4 (011x, 01x1, 03xx, 08xx, 09xx),
    /// 5-6 or 5-3-3 (01xxx, 07xxx); or a 9-digit number in the 01xxx areas that have them (5-5) and 0800 xxxxxx (4-6, 4-3-3).
    /// </summary>
    private static bool UnitedKingdom(ReadOnlySpan<char> d, ReadOnlySpan<int> g)
    {
        if (d[0] != '0' || d[1] is not ('1' or '2' or '3' or '5' or '7' or '8' or '9')) return false;
        if (d.Length == 11)
            return Is(g, 3, 4, 4) && d[1] == '2' || Is(g, 4, 3, 4) && d[1] != '2' && d[1] != '7'
                || (Is(g, 5, 6) || Is(g, 5, 3, 3)) && d[1] is '1' or '7';
        if (d.Length == 10)
            return Is(g, 5, 5) && d[1] == '1' || (Is(g, 4, 6) || Is(g, 4, 3, 3)) && d.StartsWith("0800");
        return false;
    }

    /// <summary>
    /// Trunk 0 + area code (2-5 digits, not starting 0; 01 only for the 015x/016x/017x mobiles) + subscriber number
    /// (3-8 digits), 10-12 digits in all, written as area and subscriber ("030 12345678", "0221/1234567",
    /// "0151 23456789"). India's landlines (0 + STD code + subscriber, 11 digits: "0422 2345678") have the same shape.
    /// </summary>
    private static bool GermanyOrIndiaLandline(ReadOnlySpan<char> d, ReadOnlySpan<int> g)
    {
        if (g.Length != 2 || d[0] != '0' || d[1] == '0' || d.Length is < 10 or > 12) return false;
        if (g[0] is < 3 or > 6 || g[1] is < 3 or > 8) return false;
        return d[1] != '1' || d[2] is '5' or '6' or '7' || d.Length == 11;
    }

    /// <summary>Ten digits, 0 then 1-9, in five pairs separated by spaces or dots ("01 23 45 67 89").</summary>
    private static bool France(ReadOnlySpan<char> d, ReadOnlySpan<int> g) =>
        d.Length == 10 && d[0] == '0' && d[1] != '0' && Is(g, 2, 2, 2, 2, 2);

    /// <summary>Ten digits: geographic 0[2378] as 2-4-4 ("02 9876 5432"), mobile 04xx as 4-3-3, 1300/1800 as 4-3-3.</summary>
    private static bool Australia(ReadOnlySpan<char> d, ReadOnlySpan<int> g)
    {
        if (d.Length != 10) return false;
        if (d[0] == '0' && d[1] is '2' or '3' or '7' or '8') return Is(g, 2, 4, 4);
        if (d[0] == '0' && d[1] == '4') return Is(g, 4, 3, 3);
        return (d.StartsWith("1300") || d.StartsWith("1800")) && Is(g, 4, 3, 3);
    }

    /// <summary>
    /// Mobiles: ten digits starting 6-9 written 5-5 ("98765 43210"), the way they are printed. Landlines: 0 + STD code
    /// + subscriber, 11 digits, also written 3-4-4 or 4-3-4 ("044 2345 6789", "0422 234 5678").
    /// </summary>
    private static bool India(ReadOnlySpan<char> d, ReadOnlySpan<int> g) =>
        d.Length == 10 && d[0] is >= '6' and <= '9' && Is(g, 5, 5)
        || d.Length == 11 && d[0] == '0' && d[1] != '0' && (Is(g, 3, 4, 4) || Is(g, 4, 3, 4));

    private static bool Is(ReadOnlySpan<int> g, params ReadOnlySpan<int> shape) => g.SequenceEqual(shape);
}
