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

    public GopherQualityRule(GopherQualityOptions? options = null)
    {
        _options = options ?? new GopherQualityOptions();
        var set = new HashSet<string>(_options.StopWords, StringComparer.OrdinalIgnoreCase);
        _stopWords = set.GetAlternateLookup<ReadOnlySpan<char>>();
        _maxStopWordLength = set.Count == 0 ? 0 : set.Max(w => w.Length);
    }

    public string Name => "gopher_quality";

    public IReadOnlyList<string> Reasons { get; } =
        [TooFewWords, TooManyWords, MeanWordLengthLow, MeanWordLengthHigh, HashRatio, EllipsisRatio, BulletLines, EllipsisLines, AlphaWords, StopWords];

    public RuleVerdict Check(AnalyzedText analyzed)
    {
        var o = _options;
        var text = analyzed.Text.AsSpan();
        var words = analyzed.Words;
        var n = words.Length;
        if (o.MinWords is { } min && n < min) return RuleVerdict.Drop(TooFewWords);
        if (o.MaxWords is { } max && n > max) return RuleVerdict.Drop(TooManyWords);
        if (n == 0) return RuleVerdict.Drop(TooFewWords);

        long wordChars = 0;
        foreach (var w in words) wordChars += w.Length;
        var meanLength = (double)wordChars / n;
        if (o.MinMeanWordLength is { } minLen && meanLength < minLen) return RuleVerdict.Drop(MeanWordLengthLow);
        if (o.MaxMeanWordLength is { } maxLen && meanLength > maxLen) return RuleVerdict.Drop(MeanWordLengthHigh);

        if (o.MaxSymbolWordRatio is { } symbolRatio)
        {
            if ((double)text.Count('#') / n > symbolRatio) return RuleVerdict.Drop(HashRatio);
            if ((double)(CountNonOverlapping(text, "...") + text.Count('\u2026')) / n > symbolRatio) return RuleVerdict.Drop(EllipsisRatio);
        }

        if (o.MaxBulletLinesRatio is not null || o.MaxEllipsisLinesRatio is not null)
        {
            var lines = analyzed.Lines;
            int bullets = 0, ellipses = 0;
            foreach (var line in lines)
            {
                var span = line.Of(text);
                var trimmed = span.TrimStart();
                if (trimmed.Length > 0 && IsBullet(trimmed[0])) bullets++;
                trimmed = span.TrimEnd();
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
                if (ContainsLetter(w.Of(text))) alphaWords++;
            if ((double)alphaWords / n < alphaRatio) return RuleVerdict.Drop(AlphaWords);
        }

        if (o.MinStopWords is { } minStop)
        {
            var stop = 0;
            foreach (var w in words)
            {
                if (w.Length > _maxStopWordLength || !_stopWords.Contains(w.Of(text))) continue;
                if (++stop >= minStop) break;
            }
            if (stop < minStop) return RuleVerdict.Drop(StopWords);
        }
        return RuleVerdict.Keep;
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
