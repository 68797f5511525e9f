using System.IO.Hashing;
using System.Runtime.InteropServices;
using DataFlow.Text.Normalization;

namespace DataFlow.Text.Dedup;

/// <summary>
/// The kernel of sentence-span dedup (C4's "three-sentence spans", datatrove's SentenceDedup). <see cref="Compute"/>
/// splits a text into sentences with <see cref="SentenceSplitter"/> (CJK terminators included), normalizes each as
/// <c>exact: normalized</c> does (lowercase, accents folded, punctuation and whitespace to one space, digit runs to
/// '0'), hashes each sentence once (XxHash3-64 of its normalized form; 0 for a sentence that normalizes to nothing)
/// and gives every run of N consecutive sentences the XxHash3-64 of its N sentence hashes, so two runs share a hash
/// when their sentences normalize to the same strings (as datatrove's hash of the joined sentences); a run whose
/// sentences all normalize to nothing gets no hash. <see cref="Remove"/> cuts given runs out of the text the way datatrove's
/// filter does: each sentence owns the whitespace before it, the rest is joined as written, then trimmed at the start.
/// </summary>
public sealed class SentenceSpans(int sentencesPerSpan)
{
    private readonly List<TextRange> _sentences = [];
    private char[] _normalized = new char[4096];
    private int[] _lengths = new int[256];
    private ulong[] _hashes = new ulong[256];

    public int SentencesPerSpan { get; } = sentencesPerSpan >= 1 ? sentencesPerSpan : throw new ArgumentOutOfRangeException(nameof(sentencesPerSpan));

    /// <summary>The sentences of the last text given to <see cref="Compute"/>.</summary>
    public IReadOnlyList<TextRange> Sentences => _sentences;

    /// <summary>
    /// Splits <paramref name="text"/> and appends (first sentence, hash) of every span of N sentences to
    /// <paramref name="spans"/>; a text with fewer than N sentences has none. Returns the number of sentences.
    /// </summary>
    public int Compute(ReadOnlySpan<char> text, List<(int Sentence, ulong Hash)> spans)
    {
        SentenceSplitter.Spans(text, _sentences);
        var count = _sentences.Count;
        var n = SentencesPerSpan;
        if (count < n) return count;
        if (_lengths.Length < count) _lengths = new int[Math.Max(count, _lengths.Length * 2)];
        if (_normalized.Length < text.Length) _normalized = new char[Math.Max(text.Length, _normalized.Length * 2)];
        if (_hashes.Length < count) _hashes = new ulong[Math.Max(count, _hashes.Length * 2)];
        var buffer = _normalized.AsSpan();
        for (var k = 0; k < count; k++)
        {
            var length = Normalize(_sentences[k].Of(text), buffer, 0);
            _lengths[k] = length;
            _hashes[k] = length == 0 ? 0 : XxHash3.HashToUInt64(MemoryMarshal.AsBytes(buffer[..length]));
        }
        // Each sentence is normalized and hashed once; a span's hash is the hash of its sentences' hashes.
        var empty = 0;
        for (var k = 0; k < n - 1; k++) if (_lengths[k] == 0) empty++;
        for (var k = 0; k + n <= count; k++)
        {
            if (_lengths[k + n - 1] == 0) empty++;
            if (empty < n) spans.Add((k, XxHash3.HashToUInt64(MemoryMarshal.AsBytes(_hashes.AsSpan(k, n)))));
            if (_lengths[k] == 0) empty--;
        }
        return count;
    }

    /// <summary>
    /// Appends the normalized form of <paramref name="sentence"/> to <paramref name="output"/> at <paramref name="at"/>
    /// and returns the new end: kept characters as <see cref="DedupCharTable"/> maps them, every run of separators as
    /// one space (none at either end), a run of digits with at most one inner '.' or ',' as one '0'.
    /// </summary>
    public static int Normalize(ReadOnlySpan<char> sentence, Span<char> output, int at)
    {
        var start = at;
        var pendingSpace = false;
        for (var i = 0; i < sentence.Length; i++)
        {
            var c = sentence[i];
            var entry = DedupCharTable.Entry(c);
            var cls = (DedupCharClass)(entry >> 16);
            // Letters and marks first: most characters are one.
            if ((uint)(cls - DedupCharClass.Letter) <= DedupCharClass.Mark - DedupCharClass.Letter)
            {
                if (pendingSpace) { output[at++] = ' '; pendingSpace = false; }
                output[at++] = (char)entry;
                continue;
            }
            switch (cls)
            {
                case DedupCharClass.Separator:
                    pendingSpace = at > start;
                    continue;
                case DedupCharClass.Dropped:
                    continue;
                case DedupCharClass.Digit:
                    i = DigitRunEnd(sentence, i) - 1;
                    entry = '0';
                    break;
                case DedupCharClass.HighSurrogate:
                    if (pendingSpace) { output[at++] = ' '; pendingSpace = false; }
                    output[at++] = c;
                    if (i + 1 < sentence.Length && char.IsLowSurrogate(sentence[i + 1])) output[at++] = sentence[++i];
                    continue;
            }
            if (pendingSpace) { output[at++] = ' '; pendingSpace = false; }
            output[at++] = (char)entry;
        }
        return at;
    }

    /// <summary>End of the number starting at <paramref name="i"/>: digits, optionally one '.' or ',' and more digits.</summary>
    private static int DigitRunEnd(ReadOnlySpan<char> s, int i)
    {
        static bool IsDigit(char c) => (DedupCharClass)(DedupCharTable.Entry(c) >> 16) == DedupCharClass.Digit;
        while (i < s.Length && IsDigit(s[i])) i++;
        if (i + 1 < s.Length && s[i] is '.' or ',' && IsDigit(s[i + 1]))
        {
            i++;
            while (i < s.Length && IsDigit(s[i])) i++;
        }
        return i;
    }

    /// <summary>
    /// The text left once the spans starting at each of <paramref name="firstSentences"/> (ascending; each covers
    /// <see cref="SentencesPerSpan"/> sentences, overlaps merge) are cut from <paramref name="text"/>, whose sentences
    /// are <paramref name="sentences"/>. Sentence k owns the text from the end of sentence k-1 (the start for the first)
    /// to its own end, and the last one also owns what follows it; the result is trimmed at the start, as datatrove's
    /// filter does. Returns the new text and how many sentences were removed.
    /// </summary>
    public (string Text, int RemovedSentences) Remove(string text, IReadOnlyList<TextRange> sentences, ReadOnlySpan<int> firstSentences)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        var next = 0;
        var dropUntil = 0;
        var removed = 0;
        for (var k = 0; k < sentences.Count; k++)
        {
            while (next < firstSentences.Length && firstSentences[next] <= k)
            {
                if (firstSentences[next] == k) dropUntil = Math.Max(dropUntil, k + SentencesPerSpan);
                next++;
            }
            var from = k == 0 ? 0 : sentences[k - 1].End;
            var to = k == sentences.Count - 1 ? text.Length : sentences[k].End;
            if (k < dropUntil) removed++;
            else builder.Append(text, from, to - from);
        }
        if (next < firstSentences.Length)
            throw new ArgumentException($"span at sentence {firstSentences[next]} is past the text's {sentences.Count} sentences");
        var start = 0;
        while (start < builder.Length && char.IsWhiteSpace(builder[start])) start++;
        return (builder.ToString(start, builder.Length - start), removed);
    }
}
