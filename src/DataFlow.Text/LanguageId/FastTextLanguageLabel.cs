using Lingua;

namespace DataFlow.Text.LanguageId;

/// <summary>
/// Maps a fastText language-ID label to the code DataFlow reports: <c>__label__en</c> (lid.176) -> <c>en</c>;
/// <c>__label__eng_Latn</c> (GlotLID, ISO 639-3 + script) -> <c>en</c> where ISO 639-1 has the language, else the label
/// as given without its prefix (<c>__label__gsw_Latn</c> -> <c>gsw_Latn</c>, lid.176's <c>__label__als</c> -> <c>als</c>).
/// </summary>
public static class FastTextLanguageLabel
{
    public const string Prefix = "__label__";

    private static readonly Dictionary<string, string> Iso6393To6391 = BuildTable();

    public static string ToCode(string label)
    {
        var name = label.StartsWith(Prefix, StringComparison.Ordinal) ? label[Prefix.Length..] : label;
        var underscore = name.IndexOf('_');
        if (underscore < 0) return name.Length == 2 ? name.ToLowerInvariant() : name;
        // Only GlotLID's LANG_Script labels are ISO 639-3; lid.176's bare three-letter labels are Wikipedia codes (als = Alemannic).
        var language = name[..underscore].ToLowerInvariant();
        return language.Length == 3 && Iso6393To6391.TryGetValue(language, out var code) ? code : name;
    }

    private static Dictionary<string, string> BuildTable()
    {
        var table = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var language in LanguageInfo.All())
        {
            var iso1 = LanguageInfo.IsoCode6391(language).ToString().ToLowerInvariant();
            var iso3 = LanguageInfo.IsoCode6393(language).ToString().ToLowerInvariant();
            if (iso1 != "none" && iso3 != "none") table[iso3] = iso1;
        }
        // Individual languages GlotLID names where ISO 639-1 codes the macrolanguage (Mandarin -> Chinese, ...).
        foreach (var (iso3, iso1) in new[]
                 {
                     ("cmn", "zh"), ("arb", "ar"), ("pes", "fa"), ("zsm", "ms"), ("ekk", "et"), ("lvs", "lv"), ("swh", "sw"),
                     ("uzn", "uz"), ("khk", "mn"), ("npi", "ne"), ("plt", "mg"), ("ydd", "yi"), ("azj", "az"), ("als", "sq"),
                     ("nob", "nb"), ("nno", "nn"), ("gaz", "om"), ("quy", "qu"), ("kmr", "ku"),
                 })
            table.TryAdd(iso3, iso1);
        return table;
    }
}
