using System.Text;
using System.Text.RegularExpressions;
using DataFlow.Text.Normalization;

namespace DataFlow.Text.Quality;

/// <summary>
/// C4 cleaning: each line is stripped and kept only if it has no over-long word, ends in terminal punctuation
/// (after citation markers are removed), has enough words and mentions neither javascript nor cookie/policy
/// boilerplate; a kept line with "lorem ipsum" or '{' drops the page; a page with fewer than 5 sentences in its
/// kept lines is dropped; otherwise later rules see the kept lines, and the removal is recorded against the source
/// lines (<see cref="AnalyzedText.RemoveLines"/>) so the kept document is the text as written minus the removed lines,
/// with citation markers removed from its lines when that is on. Order as in tfds c4_utils and datatrove.
/// DataFlow mode: lines of the normalized text, words by DataFlow's splitter, a rule-based sentence count, and the
/// word-length limit applies to space-separated words (a run of CJK characters is many words, not one). datatrove
/// mode: Python's splitlines and split(), a line kept as it is after citation removal (not stripped again),
/// sentences counted by Punkt, and any whitespace-free run longer than the limit drops the line, CJK included.
/// </summary>
public sealed partial class C4QualityRule : IQualityRule
{
    public const string LoremIpsum = "c4.lorem_ipsum";
    public const string CurlyBracket = "c4.curly_bracket";
    public const string TooFewSentences = "c4.too_few_sentences";

    /// <summary>Rewrite reasons: lines removed from a kept document, citation markers removed from its lines.</summary>
    public const string LinesRemoved = "c4.lines_removed";
    public const string CitationsRemoved = "c4.citations_removed";

    private static readonly string[] PolicyPhrases = ["terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies"];

    private readonly C4QualityOptions _options;
    private readonly StringBuilder _kept = new();
    private char[] _lineBuffer = new char[256];
    private bool[] _keep = new bool[256];

    public C4QualityRule(C4QualityOptions? options = null) => _options = options ?? new C4QualityOptions();

    public string Name => "c4";

    public IReadOnlyList<string> Reasons { get; } = [LoremIpsum, CurlyBracket, TooFewSentences];

    /// <summary>Lines removed by the last <see cref="Check"/> (for stats).</summary>
    public int LastRemovedLines { get; private set; }

    public RuleVerdict Check(AnalyzedText analyzed)
    {
        if (analyzed.Compat == QualityCompat.Datatrove) return CheckDatatrove(analyzed);
        var o = _options;
        var text = analyzed.Text.AsSpan();
        _kept.Clear();
        var sentences = 0;
        var removed = 0;
        var keptWordCount = 0;   // words never span lines, so the kept text's count is the sum over kept lines
        var changed = false;
        var citations = false;
        var allWords = analyzed.Words;
        var nextWord = 0;
        var lines = analyzed.Lines;
        if (_keep.Length < lines.Length) _keep = new bool[Math.Max(lines.Length, _keep.Length * 2)];
        var index = -1;
        foreach (var range in lines)
        {
            _keep[++index] = false;
            // Words of this line: the shared word list is in text order, so one cursor walks it once.
            var words = 0;
            while (nextWord < allWords.Length && allWords[nextWord].Start < range.End)
            {
                if (allWords[nextWord].Start >= range.Start) words++;
                nextWord++;
            }
            var raw = range.Of(text);
            var line = raw.Trim();
            if (o.MaxWordLength >= 0 && HasLongerWord(line, o.MaxWordLength)) { removed++; continue; }
            var keptWords = words;
            if (o.RemoveCitations && line.IndexOf('[') >= 0)
            {
                var before = line.Length;
                line = RemoveCitations(line);
                if (line.Length != before)
                {
                    keptWords = WordSplitter.Count(line);
                    citations = true;
                }
            }
            if (o.FilterNoTerminalPunctuation && !EndsInTerminalPunctuation(line, o.TerminalPunctuation)) { removed++; continue; }
            if (o.MinWordsPerLine >= 0 && words < o.MinWordsPerLine) { removed++; continue; }
            if (o.FilterLoremIpsum && line.Contains("lorem ipsum", StringComparison.OrdinalIgnoreCase)) return Drop(LoremIpsum, removed);
            if (o.FilterJavascript && line.Contains("javascript", StringComparison.OrdinalIgnoreCase)) { removed++; continue; }
            if (o.FilterCurlyBracket && line.IndexOf('{') >= 0) return Drop(CurlyBracket, removed);
            if (o.FilterPolicy && ContainsPolicyPhrase(line)) { removed++; continue; }
            if (sentences < o.MinSentences) sentences += SentenceSplitter.Count(line, o.MinSentences - sentences);
            if (_kept.Length > 0) _kept.Append('\n');
            _kept.Append(line);
            _keep[index] = true;
            keptWordCount += keptWords;
            if (line.Length != raw.Length) changed = true;
        }
        LastRemovedLines = removed;
        if (o.MinSentences >= 0 && sentences < o.MinSentences) return RuleVerdict.Drop(TooFewSentences);
        // A blank line has no words and no terminal punctuation: it goes exactly when one of those filters is on.
        var blankLinesKept = !o.FilterNoTerminalPunctuation && o.MinWordsPerLine <= 0;
        // The kept text stays in the builder (untouched until the next document): only a later rule that reads it makes a string.
        if (removed > 0) analyzed.RemoveLines(_keep.AsSpan(0, lines.Length), _kept, keptWordCount, blankLinesKept, LinesRemoved);
        else if (changed || _kept.Length != text.Length) analyzed.Replace(_kept, keptWordCount);
        if (citations) analyzed.EditKeptLines(RemoveCitationsAsWritten, CitationsRemoved);
        return RuleVerdict.Keep;
    }

    /// <summary>
    /// datatrove's C4QualityFilter.filter with split_paragraph=True, line by line. The lines it removes are recorded
    /// against the lines as written (when Python's splitlines and '\n' give the same lines, i.e. no lone '\r', form
    /// feed or Unicode line separator), so the kept document is the text as written minus those lines, as in the
    /// default mode; otherwise the rules after it see datatrove's text and the document is kept as written.
    /// </summary>
    private RuleVerdict CheckDatatrove(AnalyzedText analyzed)
    {
        var o = _options;
        var text = analyzed.Text;
        _kept.Clear();
        var sentences = 0;
        var removed = 0;
        var citations = false;
        var lines = PythonText.SplitLines(text);
        if (_keep.Length < lines.Count) _keep = new bool[Math.Max(lines.Count, _keep.Length * 2)];
        for (var index = 0; index < lines.Count; index++)
        {
            _keep[index] = false;
            var line = PythonText.Strip(lines[index].Of(text)).ToString();
            var words = PythonText.Split(line);
            if (o.MaxWordLength >= 0 && words.Any(w => PythonText.Length(w.Of(line)) > o.MaxWordLength)) { removed++; continue; }
            if (o.RemoveCitations && line.Contains('['))
            {
                var before = line.Length;
                line = DatatroveCitation().Replace(line, "");
                citations |= line.Length != before;
            }
            if (o.FilterNoTerminalPunctuation && (line.Length == 0 || !o.TerminalPunctuation.Contains(line[^1]) || line.EndsWith("...", StringComparison.Ordinal))) { removed++; continue; }
            if (words.Count < o.MinWordsPerLine) { removed++; continue; }
            if (o.FilterLoremIpsum && line.Contains("lorem ipsum", StringComparison.OrdinalIgnoreCase)) return Drop(LoremIpsum, removed);
            if (o.FilterJavascript && line.Contains("javascript", StringComparison.OrdinalIgnoreCase)) { removed++; continue; }
            if (o.FilterCurlyBracket && line.Contains('{')) return Drop(CurlyBracket, removed);
            if (o.FilterPolicy && ContainsPolicyPhrase(line)) { removed++; continue; }
            if (o.MinSentences >= 0 && sentences < o.MinSentences) sentences += PunktSentenceSplitter.Count(line);
            if (_kept.Length > 0) _kept.Append('\n');
            _kept.Append(line);
            _keep[index] = true;
        }
        LastRemovedLines = removed;
        if (sentences < o.MinSentences) return RuleVerdict.Drop(TooFewSentences);
        var kept = PythonText.Strip(_kept.ToString()).ToString();
        var blankLinesKept = !o.FilterNoTerminalPunctuation && o.MinWordsPerLine <= 0;
        if (removed > 0 && lines.Count == analyzed.LineCount) analyzed.RemoveLines(_keep.AsSpan(0, lines.Count), kept, -1, blankLinesKept, LinesRemoved);
        else if (kept != text) analyzed.Replace(kept);
        if (citations) analyzed.EditKeptLines(line => DatatroveCitation().Replace(line, ""), CitationsRemoved);
        return RuleVerdict.Keep;
    }

    [GeneratedRegex(@"\[\d*]|\[edit]|\[citation needed]")]
    private static partial Regex DatatroveCitation();

    private RuleVerdict Drop(string reason, int removed)
    {
        LastRemovedLines = removed;
        return RuleVerdict.Drop(reason);
    }

    private static bool EndsInTerminalPunctuation(ReadOnlySpan<char> line, string terminal) =>
        line.Length > 0 && terminal.Contains(line[^1]) && !line.EndsWith("...");

    /// <summary>
    /// A space-separated word longer than <paramref name="maxLength"/>. Han, Kana and Hangul characters are words of
    /// their own (they are written without spaces), so a long Chinese line is not one over-long word.
    /// </summary>
    private static bool HasLongerWord(ReadOnlySpan<char> line, int maxLength)
    {
        if (line.Length <= maxLength) return false;
        var run = 0;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (WordSplitterSpace(c)) run = 0;
            else if (c >= '\u1100' && CjkCharacters.LengthAt(line, i) is var cjk and > 0) { run = 0; i += cjk - 1; }
            else if (++run > maxLength) return true;
        }
        return false;
    }

    private static bool WordSplitterSpace(char c) => c <= ' ' ? c is ' ' or '\t' or '\r' or '\n' or '\f' or '\v' : c > '\u007f' && char.IsWhiteSpace(c);

    private static bool ContainsPolicyPhrase(ReadOnlySpan<char> line)
    {
        // Four of the six phrases contain "cookie"; test the cheap common part first.
        if (line.Contains("cookie", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var phrase in PolicyPhrases)
                if (line.Contains(phrase, StringComparison.OrdinalIgnoreCase)) return true;
            return false;
        }
        return line.Contains("terms of use", StringComparison.OrdinalIgnoreCase) || line.Contains("privacy policy", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Removes "[digits]", "[edit]" and "[citation needed]" (C4's citation pattern) and trims the result.</summary>
    private ReadOnlySpan<char> RemoveCitations(ReadOnlySpan<char> line)
    {
        if (_lineBuffer.Length < line.Length) _lineBuffer = new char[Math.Max(line.Length, _lineBuffer.Length * 2)];
        var length = 0;
        var i = 0;
        while (i < line.Length)
        {
            if (line[i] == '[' && CitationLength(line[i..]) is var n and > 0)
            {
                i += n;
                continue;
            }
            _lineBuffer[length++] = line[i++];
        }
        return length == line.Length ? line : _lineBuffer.AsSpan(0, length).Trim();
    }

    /// <summary>Citation removal on a line as written: the markers go, indentation stays, spaces left at the end go.</summary>
    public static string RemoveCitationsAsWritten(string line)
    {
        if (line.IndexOf('[') < 0) return line;
        var result = new StringBuilder(line.Length);
        var i = 0;
        var removed = false;
        while (i < line.Length)
        {
            if (line[i] == '[' && CitationLength(line.AsSpan(i)) is var n and > 0)
            {
                i += n;
                removed = true;
                continue;
            }
            result.Append(line[i++]);
        }
        if (!removed) return line;
        var end = result.Length;
        while (end > 0 && result[end - 1] is ' ' or '\t') end--;
        return result.ToString(0, end);
    }

    private static int CitationLength(ReadOnlySpan<char> s)
    {
        if (s.StartsWith("[edit]")) return 6;
        if (s.StartsWith("[citation needed]")) return 17;
        var j = 1;
        while (j < s.Length && char.IsAsciiDigit(s[j])) j++;
        return j < s.Length && s[j] == ']' ? j + 1 : 0;
    }
}
