using DataFlow.Text.Normalization;

namespace DataFlow.Text.Quality;

/// <summary>
/// FineWeb's quality filter: punctuated-line ratio, short-line ratio, duplicated-line character ratio and
/// newlines per word. The line ratios are over non-blank lines; newlines per word counts every '\n'.
/// DataFlow mode drops at or past each threshold and keeps a text without lines; datatrove mode compares strictly
/// (punctuated lines below 0.12, short lines above 0.67, duplicate characters above 0.01), ends a line with any of
/// datatrove's TERMINAL_PUNCTUATION, counts code points and drops a text without lines as empty.
/// </summary>
public sealed class FineWebQualityRule : IQualityRule
{
    public const string LinePunctuation = "fineweb.line_punct_ratio";
    public const string ShortLines = "fineweb.short_line_ratio";
    public const string CharDuplicates = "fineweb.char_dup_ratio";
    public const string ListRatio = "fineweb.list_ratio";
    public const string Empty = "fineweb.empty";

    private readonly FineWebQualityOptions _options;
    private readonly UInt64CountTable _table = new();

    public FineWebQualityRule(FineWebQualityOptions? options = null) => _options = options ?? new FineWebQualityOptions();

    public string Name => "fineweb";

    public IReadOnlyList<string> Reasons { get; } = [LinePunctuation, ShortLines, CharDuplicates, ListRatio, Empty];

    public RuleVerdict Check(AnalyzedText analyzed)
    {
        var o = _options;
        var text = analyzed.Text.AsSpan();
        var datatrove = analyzed.Compat == QualityCompat.Datatrove;
        int lines = 0, punctuated = 0, shortLines = 0, newlines = 0;
        long duplicateChars = 0;
        _table.Clear(text.Count('\n') + 1);
        var start = 0;
        while (true)
        {
            var rel = text[start..].IndexOf('\n');
            var end = rel < 0 ? text.Length : start + rel;
            var line = text[start..end];
            // Blank lines are not lines (datatrove keeps only lines whose strip() is non-empty).
            if (datatrove ? PythonText.Strip(line).Length > 0 : !line.IsWhiteSpace())
            {
                lines++;
                if (datatrove ? DatatrovePunctuation.EndsInTerminal(line) : IsTerminalPunctuation(line[^1])) punctuated++;
                var lineLength = datatrove ? PythonText.Length(line) : line.Length;
                if (lineLength <= o.ShortLineLength) shortLines++;
                if (_table.ContainsOrAdd(AnalyzedText.HashOf(line), lines)) duplicateChars += lineLength;
            }
            if (rel < 0) break;
            newlines++;
            start = end + 1;
        }

        if (lines == 0) return datatrove ? RuleVerdict.Drop(Empty) : RuleVerdict.Keep;
        if (o.LinePunctuationThreshold is { } punct)
        {
            var ratio = (double)punctuated / lines;
            if ((datatrove ? ratio < punct : ratio <= punct) && !(punctuated == 0 && o.LinePunctuationExcludeZero)) return RuleVerdict.Drop(LinePunctuation);
        }
        if (o.ShortLineThreshold is { } shortRatio)
        {
            var ratio = (double)shortLines / lines;
            if (datatrove ? ratio > shortRatio : ratio >= shortRatio) return RuleVerdict.Drop(ShortLines);
        }
        if (o.CharDuplicatesRatio is { } dup)
        {
            var chars = (datatrove ? PythonText.Length(text) : text.Length) - newlines;
            var ratio = chars > 0 ? (double)duplicateChars / chars : 0;
            if (datatrove ? ratio > dup : ratio >= dup) return RuleVerdict.Drop(CharDuplicates);
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
