using DataFlow.Text.Normalization;

namespace DataFlow.Text.Quality;

/// <summary>
/// Gopher quality heuristics (Rae et al. 2021, Table A1), checked in the published order: word count, mean word
/// length, '#' and ellipsis per word, bullet and ellipsis lines, alphabetic words, stop words.
/// </summary>
public sealed class GopherQualityRule : IQualityRule
{
    public const string TooFewWords = "gopher_quality.too_few_words";
    public const string TooManyWords = "gopher_quality.too_many_words";
    public const string MeanWordLengthLow = "gopher_quality.mean_word_length_low";
    public const string MeanWordLengthHigh = "gopher_quality.mean_word_length_high";
    public const string HashRatio = "gopher_quality.hash_ratio";
    public const string EllipsisRatio = "gopher_quality.ellipsis_ratio";
    public const string BulletLines = "gopher_quality.bullet_lines";
    public const string EllipsisLines = "gopher_quality.ellipsis_lines";
    public const string AlphaWords = "gopher_quality.alpha_words";
    public const string StopWords = "gopher_quality.stop_words";

    private readonly GopherQualityOptions _options;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _stopWords;
    private readonly int _maxStopWordLength;
    private readonly string[] _stopWordList;

    public GopherQualityRule(GopherQualityOptions? options = null)
    {
        _options = options ?? new GopherQualityOptions();
        var set = new HashSet<string>(_options.StopWords, StringComparer.OrdinalIgnoreCase);
        _stopWordList = _options.StopWords.Distinct(StringComparer.Ordinal).ToArray();
        _stopWords = set.GetAlternateLookup<ReadOnlySpan<char>>();
        _maxStopWordLength = set.Count == 0 ? 0 : set.Max(w => w.Length);
    }

    public string Name => "gopher_quality";

    public IReadOnlyList<string> Reasons { get; } =
        [TooFewWords, TooManyWords, MeanWordLengthLow, MeanWordLengthHigh, HashRatio, EllipsisRatio, BulletLines, EllipsisLines, AlphaWords, StopWords];

    public RuleVerdict Check(AnalyzedText analyzed)
    {
        var o = _options;
        var datatrove = analyzed.Compat == QualityCompat.Datatrove;
        var text = analyzed.Text.AsSpan();
        var words = analyzed.Words;
        var chars = analyzed.WordChars;
        var n = words.Length;
        // DataFlow's splitter never yields a punctuation-only word; datatrove counts its tokens that are not all
        // punctuation for the word count and mean length, but divides the symbol and alphabetic ratios by all tokens.
        var wordCount = 0;
        long wordChars = 0;
        foreach (var w in words)
        {
            var word = w.Of(chars);
            if (datatrove && DatatrovePunctuation.IsSymbolToken(word)) continue;
            wordCount++;
            wordChars += datatrove ? PythonText.Length(word) : word.Length;
        }
        if (o.MinWords is { } min && wordCount < min) return RuleVerdict.Drop(TooFewWords);
        if (o.MaxWords is { } max && wordCount > max) return RuleVerdict.Drop(TooManyWords);
        if (n == 0) return RuleVerdict.Drop(TooFewWords);

        if (wordCount > 0)   // datatrove: the mean of no words is NaN, which passes both bounds
        {
            var meanLength = (double)wordChars / wordCount;
            if (o.MinMeanWordLength is { } minLen && meanLength < minLen) return RuleVerdict.Drop(MeanWordLengthLow);
            if (o.MaxMeanWordLength is { } maxLen && meanLength > maxLen) return RuleVerdict.Drop(MeanWordLengthHigh);
        }

        if (o.MaxSymbolWordRatio is { } symbolRatio)
        {
            if ((double)text.Count('#') / n > symbolRatio) return RuleVerdict.Drop(HashRatio);
            if ((double)(CountNonOverlapping(text, "...") + text.Count('\u2026')) / n > symbolRatio) return RuleVerdict.Drop(EllipsisRatio);
        }

        if (o.MaxBulletLinesRatio is not null || o.MaxEllipsisLinesRatio is not null)
        {
            var lines = datatrove ? PythonText.SplitLines(text).ToArray() : analyzed.Lines;
            int bullets = 0, ellipses = 0;
            foreach (var line in lines)
            {
                var span = line.Of(text);
                var trimmed = datatrove ? PythonText.StripStart(span) : span.TrimStart();
                if (trimmed.Length > 0 && (datatrove ? trimmed[0] is '\u2022' or '-' : IsBullet(trimmed[0]))) bullets++;
                trimmed = datatrove ? PythonText.StripEnd(span) : span.TrimEnd();
                if (trimmed.EndsWith("...") || trimmed.EndsWith("\u2026")) ellipses++;
            }
            var lineCount = Math.Max(1, lines.Length);
            if (o.MaxBulletLinesRatio is { } bulletRatio && (double)bullets / lineCount > bulletRatio) return RuleVerdict.Drop(BulletLines);
            if (o.MaxEllipsisLinesRatio is { } ellipsisRatio && (double)ellipses / lineCount > ellipsisRatio) return RuleVerdict.Drop(EllipsisLines);
        }

        if (o.MinAlphaWordsRatio is { } alphaRatio)
        {
            var alphaWords = 0;
            foreach (var w in words)
                if (datatrove ? PythonText.ContainsLetter(w.Of(chars)) : ContainsLetter(w.Of(chars))) alphaWords++;
            if ((double)alphaWords / n < alphaRatio) return RuleVerdict.Drop(AlphaWords);
        }

        if (o.MinStopWords is { } minStop && CountDistinctStopWords(words, chars, minStop, caseSensitive: datatrove) < minStop)
            return RuleVerdict.Drop(StopWords);
        return RuleVerdict.Keep;
    }

    /// <summary>
    /// Distinct stop words present, counted up to <paramref name="enough"/>. Gopher asks for "at least two of the
    /// stop words" and datatrove intersects the word set with the stop-word set, so "the the" is one, not two.
    /// datatrove compares exactly ("The" is not "the"); DataFlow ignores case.
    /// </summary>
    private int CountDistinctStopWords(ReadOnlySpan<TextRange> words, ReadOnlySpan<char> chars, int enough, bool caseSensitive)
    {
        Span<bool> seen = stackalloc bool[_stopWordList.Length];
        var distinct = 0;
        foreach (var w in words)
        {
            if (w.Length > _maxStopWordLength) continue;
            var word = w.Of(chars);
            if (!_stopWords.Contains(word)) continue;
            for (var i = 0; i < _stopWordList.Length; i++)
            {
                if (seen[i] || !word.Equals(_stopWordList[i], caseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase)) continue;
                seen[i] = true;
                if (++distinct >= enough) return distinct;
            }
        }
        return distinct;
    }

    /// <summary>Bullet points: '•' and '-' as in datatrove, plus the other Unicode bullet glyphs ‣ ◦ ⁃ ● ▪.</summary>
    private static bool IsBullet(char c) => c is '\u2022' or '-' or '\u2023' or '\u25e6' or '\u2043' or '\u25cf' or '\u25aa';

    private static bool ContainsLetter(ReadOnlySpan<char> word)
    {
        foreach (var c in word)
            if (c < '\u0080' ? char.IsAsciiLetter(c) : char.IsLetter(c)) return true;
        return false;
    }

    internal static int CountNonOverlapping(ReadOnlySpan<char> text, ReadOnlySpan<char> value)
    {
        var count = 0;
        while (true)
        {
            var i = text.IndexOf(value);
            if (i < 0) return count;
            count++;
            text = text[(i + value.Length)..];
        }
    }
}
