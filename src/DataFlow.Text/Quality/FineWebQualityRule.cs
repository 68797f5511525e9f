namespace DataFlow.Text.Quality;

/// <summary>
/// FineWeb's quality filter: punctuated-line ratio, short-line ratio, duplicated-line character ratio and
/// newlines per word. The line ratios are over non-blank lines; newlines per word counts every '\n'.
/// </summary>
public sealed class FineWebQualityRule : IQualityRule
{
    public const string LinePunctuation = "fineweb.line_punct_ratio";
    public const string ShortLines = "fineweb.short_line_ratio";
    public const string CharDuplicates = "fineweb.char_dup_ratio";
    public const string ListRatio = "fineweb.list_ratio";

    private readonly FineWebQualityOptions _options;
    private readonly UInt64CountTable _table = new();

    public FineWebQualityRule(FineWebQualityOptions? options = null) => _options = options ?? new FineWebQualityOptions();

    public string Name => "fineweb";

    public IReadOnlyList<string> Reasons { get; } = [LinePunctuation, ShortLines, CharDuplicates, ListRatio];

    public RuleVerdict Check(AnalyzedText analyzed)
    {
        var o = _options;
        var text = analyzed.Text.AsSpan();
        int lines = 0, punctuated = 0, shortLines = 0, newlines = 0;
        long duplicateChars = 0;
        _table.Clear();
        var start = 0;
        while (true)
        {
            var rel = text[start..].IndexOf('\n');
            var end = rel < 0 ? text.Length : start + rel;
            var line = text[start..end];
            // Blank lines are not lines (datatrove keeps only lines whose strip() is non-empty).
            if (!line.IsWhiteSpace())
            {
                lines++;
                if (IsTerminalPunctuation(line[^1])) punctuated++;
                if (line.Length <= o.ShortLineLength) shortLines++;
                if (_table.ContainsOrAdd(AnalyzedText.HashOf(line), lines)) duplicateChars += line.Length;
            }
            if (rel < 0) break;
            newlines++;
            start = end + 1;
        }

        if (lines == 0) return RuleVerdict.Keep;
        if (o.LinePunctuationThreshold is { } punct)
        {
            var ratio = (double)punctuated / lines;
            if (ratio <= punct && !(punctuated == 0 && o.LinePunctuationExcludeZero)) return RuleVerdict.Drop(LinePunctuation);
        }
        if (o.ShortLineThreshold is { } shortRatio && (double)shortLines / lines >= shortRatio) return RuleVerdict.Drop(ShortLines);
        if (o.CharDuplicatesRatio is { } dup)
        {
            var chars = text.Length - newlines;
            if (chars > 0 && (double)duplicateChars / chars >= dup) return RuleVerdict.Drop(CharDuplicates);
        }
        if (o.NewLineRatio is { } nl && newlines > 0)
        {
            var words = analyzed.WordCount;
            if (words == 0 || (double)newlines / words > nl) return RuleVerdict.Drop(ListRatio);
        }
        return RuleVerdict.Keep;
    }

    /// <summary>Sentence-final marks of Latin, CJK, Arabic and Indic scripts (a subset of datatrove's TERMINAL_PUNCTUATION).</summary>
    private static bool IsTerminalPunctuation(char c) => c is '.' or '!' or '?' or '\'' or '"' or '。' or '！' or '？' or '｡'
        or '．' or '…' or '‼' or '⁇' or '⁈' or '⁉' or '؟' or '۔' or '।' or '॥' or '」' or '』' or '”' or '’';
}
