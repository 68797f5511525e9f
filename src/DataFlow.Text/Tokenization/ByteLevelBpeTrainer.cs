using System.Text;
using System.Text.RegularExpressions;

namespace DataFlow.Text.Tokenization;

/// <summary>
/// Trains a byte-level BPE tokenizer in two passes' worth of work with one pass over the text:
/// <see cref="AddText"/> streams documents through the pre-tokenizer and counts distinct words in a capped dictionary
/// (when it overflows, the rarest words are dropped, as in lossy counting, so memory stays bounded);
/// <see cref="Train"/> then learns merges over the word counts with incrementally updated pair counts.
/// </summary>
public sealed class ByteLevelBpeTrainer
{
    private readonly BpeTrainerOptions _options;
    private readonly Regex _preTokenizer;
    private readonly Dictionary<string, long> _wordCounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _wordLookup;

    public ByteLevelBpeTrainer(BpeTrainerOptions options)
    {
        options.Validate();
        _options = options;
        _preTokenizer = new Regex(options.PreTokenizerPattern, RegexOptions.Compiled);
        _wordLookup = _wordCounts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public long Documents { get; private set; }
    public long Characters { get; private set; }
    public int WordTypes => _wordCounts.Count;
    /// <summary>Distinct words dropped by the cap; zero means the counts are exact.</summary>
    public long PrunedWordTypes { get; private set; }

    public void AddText(string text)
    {
        Documents++;
        Characters += text.Length;
        foreach (var match in _preTokenizer.EnumerateMatches(text))
        {
            var word = text.AsSpan(match.Index, match.Length);
            if (_wordLookup.TryGetValue(word, out var count)) _wordLookup[word] = count + 1;
            else _wordLookup[word] = 1;
        }
        if (_wordCounts.Count > _options.MaxWordTypes) PruneRareWords();
    }

    private void PruneRareWords()
    {
        // Drop the words at or below the smallest count threshold that frees at least half the cap.
        var histogram = new long[65];
        foreach (var count in _wordCounts.Values) histogram[Math.Min(count, 64)]++;
        var target = _wordCounts.Count - _options.MaxWordTypes / 2;
        long removed = 0, threshold = 0;
        while (removed < target && threshold < 64) removed += histogram[++threshold];
        var doomed = _wordCounts.Where(w => w.Value <= threshold).Select(w => w.Key).ToList();
        foreach (var word in doomed) _wordCounts.Remove(word);
        PrunedWordTypes += doomed.Count;
    }

    /// <summary>Learns merges until the vocabulary is full or no pair occurs <see cref="BpeTrainerOptions.MinPairCount"/> times.</summary>
    public ByteLevelBpeModel Train(Action<int>? onMerge = null)
    {
        var words = new int[_wordCounts.Count][];
        var counts = new long[_wordCounts.Count];
        var w = 0;
        foreach (var (word, count) in _wordCounts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var bytes = Encoding.UTF8.GetBytes(word);
            var symbols = new int[bytes.Length];
            for (var i = 0; i < bytes.Length; i++) symbols[i] = bytes[i];
            words[w] = symbols;
            counts[w++] = count;
        }

        // Token ids: 0..255 are the bytes themselves, then one id per new merged token.
        var tokens = new List<byte[]>(_options.VocabSize);
        for (var b = 0; b < 256; b++) tokens.Add([(byte)b]);
        var idOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var b = 0; b < 256; b++) idOf[ByteLevelAlphabet.CharOf((byte)b).ToString()] = b;
        var merges = new List<BpeMerge>();
        var learnedLimit = _options.VocabSize - _options.SpecialTokens.Count;

        var pairCounts = new Dictionary<long, long>();
        var pairWords = new Dictionary<long, List<int>>();
        for (w = 0; w < words.Length; w++) AddPairs(words[w], counts[w], w, pairCounts, pairWords);

        var queue = new PriorityQueue<long, PairPriority>();
        foreach (var (pair, count) in pairCounts) queue.Enqueue(pair, new PairPriority(count, pair));

        var delta = new Dictionary<long, long>();
        var lastVisit = new int[words.Length];
        Array.Fill(lastVisit, -1);
        var lengths = words.Select(s => s.Length).ToArray();

        while (tokens.Count < learnedLimit && queue.TryDequeue(out var best, out var priority))
        {
            var current = pairCounts.GetValueOrDefault(best);
            if (current != priority.Count)
            {
                // A stale entry: counts that grew were re-queued when they grew; ones that shrank are re-queued now.
                if (current > 0 && current < priority.Count) queue.Enqueue(best, new PairPriority(current, best));
                continue;
            }
            if (current < _options.MinPairCount) break;

            var (left, right) = Unpack(best);
            var merged = Concat(tokens[left], tokens[right]);
            var mergedKey = ByteLevelAlphabet.Encode(merged);
            // Two different merges can spell the same token ("a"+"bc", "ab"+"c"): they share its id.
            if (!idOf.TryGetValue(mergedKey, out var newId))
            {
                newId = tokens.Count;
                tokens.Add(merged);
                idOf[mergedKey] = newId;
            }
            merges.Add(new BpeMerge(ByteLevelAlphabet.Encode(tokens[left]), ByteLevelAlphabet.Encode(tokens[right])));
            var mergeIndex = merges.Count - 1;

            delta.Clear();
            foreach (var wi in pairWords[best])
            {
                if (lastVisit[wi] == mergeIndex) continue;
                lastVisit[wi] = mergeIndex;
                var symbols = words[wi];
                var length = lengths[wi];
                if (!Contains(symbols, length, left, right)) continue;
                var count = counts[wi];
                for (var i = 0; i + 1 < length; i++) Add(delta, Pack(symbols[i], symbols[i + 1]), -count);
                var newLength = 0;
                for (var i = 0; i < length; i++)
                {
                    if (i + 1 < length && symbols[i] == left && symbols[i + 1] == right)
                    {
                        symbols[newLength++] = newId;
                        i++;
                    }
                    else symbols[newLength++] = symbols[i];
                }
                lengths[wi] = newLength;
                for (var i = 0; i + 1 < newLength; i++)
                {
                    var pair = Pack(symbols[i], symbols[i + 1]);
                    Add(delta, pair, count);
                    if (symbols[i] == newId || symbols[i + 1] == newId) AddWord(pairWords, pair, wi);
                }
            }
            foreach (var (pair, change) in delta)
            {
                if (change == 0) continue;
                var updated = pairCounts.GetValueOrDefault(pair) + change;
                if (updated <= 0)
                {
                    pairCounts.Remove(pair);
                    continue;
                }
                pairCounts[pair] = updated;
                if (change > 0) queue.Enqueue(pair, new PairPriority(updated, pair));
            }
            pairWords.Remove(best);
            onMerge?.Invoke(merges.Count);
        }

        var vocabulary = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (var id = 0; id < tokens.Count; id++) vocabulary[ByteLevelAlphabet.Encode(tokens[id])] = id;
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in _options.SpecialTokens) special[token] = tokens.Count + special.Count;
        return new ByteLevelBpeModel(vocabulary, merges, special, _options.PreTokenizerPattern);
    }

    private static void AddPairs(int[] symbols, long count, int word, Dictionary<long, long> pairCounts, Dictionary<long, List<int>> pairWords)
    {
        for (var i = 0; i + 1 < symbols.Length; i++)
        {
            var pair = Pack(symbols[i], symbols[i + 1]);
            Add(pairCounts, pair, count);
            AddWord(pairWords, pair, word);
        }
    }

    private static void AddWord(Dictionary<long, List<int>> pairWords, long pair, int word)
    {
        if (!pairWords.TryGetValue(pair, out var list)) pairWords[pair] = list = [];
        // Within one word's pass a repeated pair finds the word last; repeats across merges are skipped when read.
        if (list.Count == 0 || list[^1] != word) list.Add(word);
    }

    private static bool Contains(int[] symbols, int length, int left, int right)
    {
        for (var i = 0; i + 1 < length; i++) if (symbols[i] == left && symbols[i + 1] == right) return true;
        return false;
    }

    private static void Add(Dictionary<long, long> counts, long key, long value) =>
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _) += value;

    private static long Pack(int left, int right) => ((long)left << 32) | (uint)right;
    private static (int Left, int Right) Unpack(long pair) => ((int)(pair >> 32), (int)pair);

    private static byte[] Concat(byte[] a, byte[] b)
    {
        var result = new byte[a.Length + b.Length];
        a.CopyTo(result, 0);
        b.CopyTo(result, a.Length);
        return result;
    }

    /// <summary>Highest count first; ties go to the smaller pair key so training is deterministic.</summary>
    private readonly record struct PairPriority(long Count, long Pair) : IComparable<PairPriority>
    {
        public int CompareTo(PairPriority other)
        {
            var byCount = other.Count.CompareTo(Count);
            return byCount != 0 ? byCount : Pair.CompareTo(other.Pair);
        }
    }
}
