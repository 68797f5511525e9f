using System.Numerics;
using System.Runtime.InteropServices;
using DataFlow.Text.Normalization;

namespace DataFlow.Text.Quality;

/// <summary>
/// Gopher repetition heuristics (Rae et al. 2021, Table A1) with the counting of datatrove's GopherRepetitionFilter:
/// paragraphs are split at two or more newlines, lines at runs of newlines, a duplicate is every repeat after the
/// first occurrence, a top n-gram's length is its words joined by single spaces, and duplicated n-grams are counted
/// left to right by their word characters, jumping past a repeated n-gram so overlapping repeats count once.
/// One deviation in DataFlow mode: a top n-gram must occur at least twice. In datatrove mode (<see cref="QualityCompat"/>)
/// lines are the pieces of re.split("\n+", text) (an empty piece before a leading or after a trailing newline counts),
/// lengths are Python code points, words are NLTK tokens and the most frequent n-gram is scored even if it occurs once.
/// Lines, paragraphs and n-grams are compared by 64-bit hashes, so no substring is ever built.
/// </summary>
public sealed class GopherRepetitionRule : IQualityRule
{
    public const string DuplicateParagraphs = "gopher_repetition.dup_para_frac";
    public const string DuplicateParagraphChars = "gopher_repetition.dup_para_char_frac";
    public const string DuplicateLines = "gopher_repetition.dup_line_frac";
    public const string DuplicateLineChars = "gopher_repetition.dup_line_char_frac";

    private readonly GopherRepetitionOptions _options;
    private readonly string[] _topReasons;
    private readonly string[] _duplicateReasons;
    private readonly UInt64CountTable _table = new();
    private ulong[] _ngramHashes = new ulong[1024];
    private bool[] _flags = new bool[1024];
    private int _flaggedN;   // _flags[i]: the _flaggedN-gram at i occurs at least twice (0: no flags yet)
    private int _flaggedCount;

    public GopherRepetitionRule(GopherRepetitionOptions? options = null)
    {
        _options = options ?? new GopherRepetitionOptions();
        foreach (var (n, _) in _options.TopNGrams.Concat(_options.DuplicateNGrams))
            if (n < 1 || n > 64) throw new ArgumentOutOfRangeException(nameof(options), $"n-gram size {n} must be within 1..64");
        _topReasons = _options.TopNGrams.Select(t => $"gopher_repetition.top_{t.N}_gram").ToArray();
        _duplicateReasons = _options.DuplicateNGrams.Select(t => $"gopher_repetition.duplicated_{t.N}_n_grams").ToArray();
        Reasons = [DuplicateParagraphs, DuplicateParagraphChars, DuplicateLines, DuplicateLineChars, .. _topReasons, .. _duplicateReasons];
    }

    public string Name => "gopher_repetition";

    public IReadOnlyList<string> Reasons { get; }

    public RuleVerdict Check(AnalyzedText analyzed)
    {
        var o = _options;
        var text = analyzed.Text.AsSpan();
        if (text.Length == 0) return RuleVerdict.Keep;
        var datatrove = analyzed.Compat == QualityCompat.Datatrove;
        double length = datatrove ? PythonText.Length(text) : text.Length;

        if (o.MaxDuplicateParagraphFraction is not null || o.MaxDuplicateParagraphCharFraction is not null)
        {
            var (paragraphs, duplicates, duplicateChars) = DuplicateParagraphStats(datatrove ? PythonText.Strip(text) : text.Trim(), datatrove, analyzed.LineCount);
            if (o.MaxDuplicateParagraphFraction is { } f && (double)duplicates / paragraphs > f) return RuleVerdict.Drop(DuplicateParagraphs);
            if (o.MaxDuplicateParagraphCharFraction is { } c && duplicateChars / length > c) return RuleVerdict.Drop(DuplicateParagraphChars);
        }

        if (datatrove && (o.MaxDuplicateLineFraction is not null || o.MaxDuplicateLineCharFraction is not null))
        {
            var (lines, duplicates, duplicateChars) = DatatroveLineStats(text);
            if (o.MaxDuplicateLineFraction is { } f && (double)duplicates / lines > f) return RuleVerdict.Drop(DuplicateLines);
            if (o.MaxDuplicateLineCharFraction is { } c && duplicateChars / length > c) return RuleVerdict.Drop(DuplicateLineChars);
        }
        else if (o.MaxDuplicateLineFraction is not null || o.MaxDuplicateLineCharFraction is not null)
        {
            var lines = analyzed.Lines;
            _table.Clear(lines.Length);
            int duplicates = 0;
            long duplicateChars = 0;
            var counted = 0;
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Of(text);
                if (o.IgnoreBlankLines && line.IsWhiteSpace()) continue;
                counted++;
                if (_table.ContainsOrAdd(AnalyzedText.HashOf(line), i))
                {
                    duplicates++;
                    duplicateChars += line.Length;
                }
            }
            var lineCount = Math.Max(1, counted);
            if (o.MaxDuplicateLineFraction is { } f && (double)duplicates / lineCount > f) return RuleVerdict.Drop(DuplicateLines);
            if (o.MaxDuplicateLineCharFraction is { } c && duplicateChars / length > c) return RuleVerdict.Drop(DuplicateLineChars);
        }

        if (o.TopNGrams.Count == 0 && o.DuplicateNGrams.Count == 0) return RuleVerdict.Keep;
        var hashes = analyzed.WordHashes;
        var words = analyzed.Words;
        var wordChars = analyzed.WordChars;

        // An n-gram can only repeat where its (n-1)-gram prefix repeats. Counting n-grams only at positions whose
        // shorter prefix repeats, and narrowing the positions after each n, makes every n after the first touch a
        // small part of a long text instead of all of it. Exact: a skipped n-gram occurs once.
        _flaggedN = 0;
        for (var t = 0; t < o.TopNGrams.Count; t++)
        {
            var (n, maxFraction) = o.TopNGrams[t];
            if (words.Length - n + 1 <= 0) continue;
            CountAndNarrow(hashes, n);
            var (occurrences, first) = _table.MostCommon();
            // An n-gram seen once is not repetition (datatrove scores it: then the first n-gram, as Counter.most_common
            // returns the earliest of equal counts; DataFlow skips it, so short texts get a word-count reason instead).
            if (datatrove && occurrences <= 1) (occurrences, first) = (1, 0);
            if ((occurrences > 1 || datatrove) && (double)NGramLength(wordChars, words, first, n, datatrove) * occurrences / length > maxFraction) return RuleVerdict.Drop(_topReasons[t]);
        }

        for (var t = 0; t < o.DuplicateNGrams.Count; t++)
        {
            var (n, maxFraction) = o.DuplicateNGrams[t];
            var count = words.Length - n + 1;
            if (count <= 0) continue;
            CountAndNarrow(hashes, n);
            _table.Clear(_flaggedCount);
            long repeatedChars = 0;
            var i = 0;
            while (i < count)
            {
                // Unflagged n-grams occur once: datatrove would add them to its set and move on, which changes nothing.
                if (!_flags[i])
                {
                    i = NextFlagged(i + 1, count);
                    continue;
                }
                if (_table.ContainsOrAdd(_ngramHashes[i], i))
                {
                    repeatedChars += WordLengths(wordChars, words, i, n, datatrove);   // words only, no joining spaces (as datatrove)
                    i += n;
                }
                else
                {
                    i++;
                }
            }
            if (repeatedChars / length > maxFraction) return RuleVerdict.Drop(_duplicateReasons[t]);
        }
        return RuleVerdict.Keep;
    }

    /// <summary>re.split("\n+", text) with datatrove's find_duplicates: every piece, empty ones too, is a line.</summary>
    private (int Lines, int Duplicates, long DuplicateChars) DatatroveLineStats(ReadOnlySpan<char> text)
    {
        _table.Clear(text.Count('\n') + 1);
        int lines = 0, duplicates = 0;
        long duplicateChars = 0;
        var start = 0;
        while (true)
        {
            var rel = text[start..].IndexOf('\n');
            var line = rel < 0 ? text[start..] : text.Slice(start, rel);
            if (_table.ContainsOrAdd(AnalyzedText.HashOf(line), lines))
            {
                duplicates++;
                duplicateChars += PythonText.Length(line);
            }
            lines++;
            if (rel < 0) return (lines, duplicates, duplicateChars);
            start += rel;
            while (start < text.Length && text[start] == '\n') start++;
        }
    }

    /// <summary>Paragraphs of the stripped text split at runs of two or more newlines.</summary>
    private (int Paragraphs, int Duplicates, long DuplicateChars) DuplicateParagraphStats(ReadOnlySpan<char> body, bool codePoints, int lineCount)
    {
        _table.Clear(lineCount + 1);   // paragraphs are runs of lines
        int paragraphs = 0, duplicates = 0;
        long duplicateChars = 0;
        var start = 0;
        while (true)
        {
            var breakStart = -1;
            var breakEnd = -1;
            var rel = body[start..].IndexOf("\n\n");
            if (rel >= 0)
            {
                breakStart = start + rel;
                breakEnd = breakStart + 2;
                while (breakEnd < body.Length && body[breakEnd] == '\n') breakEnd++;
            }
            var paragraph = breakStart < 0 ? body[start..] : body[start..breakStart];
            if (_table.ContainsOrAdd(AnalyzedText.HashOf(paragraph), paragraphs))
            {
                duplicates++;
                duplicateChars += codePoints ? PythonText.Length(paragraph) : paragraph.Length;
            }
            paragraphs++;
            if (breakStart < 0) break;
            start = breakEnd;
        }
        return (paragraphs, duplicates, duplicateChars);
    }

    // Lengths are summed where needed (the top n-gram, each repeated n-gram: at most one pass over the words per n)
    // rather than as prefix sums over every word of every document.

    /// <summary>Characters of the words <paramref name="start"/>..start+n-1, without joining spaces (code points in datatrove mode).</summary>
    private static long WordLengths(ReadOnlySpan<char> text, ReadOnlySpan<TextRange> words, int start, int n, bool datatrove)
    {
        long chars = 0;
        for (var k = start; k < start + n; k++) chars += datatrove ? PythonText.Length(words[k].Of(text)) : words[k].Length;
        return chars;
    }

    /// <summary>
    /// Characters of the n-gram starting at word <paramref name="start"/>: its words joined by single spaces, no space
    /// next to a CJK character, which stands without spaces (datatrove joins every pair with a space).
    /// </summary>
    private static long NGramLength(ReadOnlySpan<char> text, ReadOnlySpan<TextRange> words, int start, int n, bool datatrove)
    {
        var length = WordLengths(text, words, start, n, datatrove);
        var previousCjk = !datatrove && IsCjkWord(text, words[start]);
        for (var k = start + 1; k < start + n; k++)
        {
            var cjk = !datatrove && IsCjkWord(text, words[k]);
            if (!previousCjk && !cjk) length++;
            previousCjk = cjk;
        }
        return length;
    }

    private static bool IsCjkWord(ReadOnlySpan<char> text, TextRange word) =>
        text[word.Start] >= '\u1100' && CjkCharacters.LengthAt(text, word.Start) == word.Length;

    /// <summary>
    /// Counts the n-grams at the flagged positions into the table (all positions when the flags are for a longer
    /// n or none) and keeps a position flagged only if its n-gram occurs at least twice: a later occurrence is
    /// flagged when added, the first one when the second arrives, so no second pass over the table is needed.
    /// The hashes of counted n-grams stay in <see cref="_ngramHashes"/>; a flagged position's hash is extended word
    /// by word to the next n.
    /// </summary>
    private void CountAndNarrow(ReadOnlySpan<ulong> words, int n)
    {
        var count = words.Length - n + 1;
        if (_flags.Length < words.Length) _flags = new bool[Math.Max(words.Length, _flags.Length * 2)];
        if (_ngramHashes.Length < words.Length) _ngramHashes = new ulong[Math.Max(words.Length, _ngramHashes.Length * 2)];
        var all = _flaggedN == 0 || _flaggedN > n;
        var flags = _flags.AsSpan(0, count);
        var hashes = _ngramHashes.AsSpan(0, count);
        _table.Clear(all ? count : _flaggedCount);
        var flagged = 0;
        if (all)
        {
            for (var i = 0; i < count; i++)
            {
                var h = Seed;
                for (var k = 0; k < n; k++) h = Step(h, words[i + k]);
                hashes[i] = h;
                flagged += Flag(flags, i, h);
            }
        }
        else
        {
            // Positions before i are final; flags at and after i are still the (n-1)-gram's.
            var from = _flaggedN;
            for (var i = NextFlagged(0, count); i < count; i = NextFlagged(i + 1, count))
            {
                var h = hashes[i];
                for (var k = from; k < n; k++) h = Step(h, words[i + k]);
                hashes[i] = h;
                flagged += Flag(flags, i, h);
            }
        }
        _flags.AsSpan(count, words.Length - count).Clear();
        _flaggedN = n;
        _flaggedCount = flagged;
    }

    /// <summary>Adds the n-gram at <paramref name="i"/> and sets the flags it decides; returns how many positions became flagged.</summary>
    private int Flag(Span<bool> flags, int i, ulong hash)
    {
        var occurrences = _table.Add(hash, i, out var first);
        flags[i] = occurrences > 1;
        if (occurrences != 2) return occurrences > 1 ? 1 : 0;
        flags[first] = true;
        return 2;
    }

    /// <summary>The first flagged position in [<paramref name="from"/>, <paramref name="count"/>), or count (a vectorized search: flags are sparse after the first n).</summary>
    private int NextFlagged(int from, int count)
    {
        if (from >= count) return count;
        var rel = MemoryMarshal.AsBytes(_flags.AsSpan(from, count - from)).IndexOf((byte)1);
        return rel < 0 ? count : from + rel;
    }

    private const ulong Seed = 0x2545F4914F6CDD1DUL;

    /// <summary>Order-sensitive hash of an n-gram, one word hash at a time: hash(w1..wn) = Step(hash(w1..wn-1), wn).</summary>
    private static ulong Step(ulong h, ulong word) => BitOperations.RotateLeft(h, 23) * 0x9E3779B97F4A7C15UL ^ word;
}
