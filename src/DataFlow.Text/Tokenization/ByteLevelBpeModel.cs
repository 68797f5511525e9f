using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace DataFlow.Text.Tokenization;

/// <summary>
/// A byte-level BPE tokenizer's data: vocabulary (byte-level strings to ids), merges in priority order,
/// special tokens and the pre-tokenization regex. Serializes to and from Hugging Face tokenizer.json
/// (<see cref="HuggingFaceTokenizerJson"/>) and builds its encoder (<see cref="ByteLevelBpeEncoder"/>).
/// </summary>
public sealed class ByteLevelBpeModel
{
    public ByteLevelBpeModel(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<BpeMerge> merges,
        IReadOnlyDictionary<string, int> specialTokens, string preTokenizerPattern)
    {
        Vocabulary = vocabulary;
        Merges = merges;
        SpecialTokens = specialTokens;
        PreTokenizerPattern = preTokenizerPattern;
        foreach (var token in vocabulary.Keys)
            if (!ByteLevelAlphabet.IsByteLevel(token)) throw new ArgumentException($"vocabulary token '{token}' is not byte-level", nameof(vocabulary));
        for (var b = 0; b < 256; b++)
            if (!vocabulary.ContainsKey(ByteLevelAlphabet.CharOf((byte)b).ToString()))
                throw new ArgumentException($"vocabulary lacks byte 0x{b:X2}: some texts could not be encoded", nameof(vocabulary));
        VocabSize = Math.Max(vocabulary.Values.Max(), specialTokens.Count == 0 ? 0 : specialTokens.Values.Max()) + 1;
    }

    public IReadOnlyDictionary<string, int> Vocabulary { get; }
    public IReadOnlyList<BpeMerge> Merges { get; }
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }
    public string PreTokenizerPattern { get; }
    public int VocabSize { get; }

    /// <summary>
    /// The encoder for this model (<see cref="ByteLevelBpeEncoder"/>). When the merges are exactly those that tiktoken's rank
    /// rule implies for the ids (true for GPT-2 and for what <see cref="ByteLevelBpeTrainer"/> learns, checked here), it
    /// encodes by that rule, as Microsoft.ML.Tokenizers' Tiktoken encoder did for such models; otherwise, or when
    /// <paramref name="allowTiktoken"/> is false, by the merges in order, as Hugging Face's BPE does.
    /// </summary>
    /// <param name="endOfText">The special token that separates documents (<see cref="EndOfTextToken.Find"/> reads it from a file's folder).</param>
    public ByteLevelBpeEncoder CreateTokenizer(string name, bool allowTiktoken = true, string endOfText = Tokenization.SpecialTokens.EndOfText)
    {
        if (!SpecialTokens.ContainsKey(endOfText))
            throw new InvalidOperationException($"{name}: tokenizer has no {endOfText} token to separate documents");
        return allowTiktoken && RanksInIdOrder() is { } ranks && MergesFollowRanks(ranks)
            ? ByteLevelBpeEncoder.FromRanks(name, ranks, SpecialTokens, PreTokenizerPattern, endOfText)
            : ByteLevelBpeEncoder.FromMerges(name, this, endOfText);
    }

    /// <summary>
    /// The same model encoded by Microsoft.ML.Tokenizers (its Tiktoken encoder under the rule <see cref="CreateTokenizer"/>
    /// applies, else its BPE encoder): the encoder the stage used before <see cref="ByteLevelBpeEncoder"/>, kept as a peer
    /// for tests and benchmarks.
    /// </summary>
    public LibraryTokenizer CreateLibraryTokenizer(string name, bool allowTiktoken = true, string endOfText = Tokenization.SpecialTokens.EndOfText)
    {
        if (!SpecialTokens.TryGetValue(endOfText, out var endOfTextId))
            throw new InvalidOperationException($"{name}: tokenizer has no {endOfText} token to separate documents");
        var special = SpecialTokens.Count == 0 ? null : SpecialTokens;
        var preTokenizer = new RegexPreTokenizer(new Regex(PreTokenizerPattern, RegexOptions.Compiled), special);
        Tokenizer encoder;
        if (allowTiktoken && RanksInIdOrder() is { } ranks && MergesFollowRanks(ranks))
        {
            var lines = new StringBuilder();
            for (var id = 0; id < ranks.Count; id++) lines.Append(Convert.ToBase64String(ranks[id])).Append(' ').Append(id).Append('\n');
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(lines.ToString()));
            encoder = TiktokenTokenizer.Create(stream, preTokenizer, normalizer: null, special);
        }
        else
        {
            encoder = BpeTokenizer.Create(new BpeOptions(Vocabulary)
            {
                Merges = Merges.Select(m => $"{m.Left} {m.Right}"),
                ByteLevel = true,
                PreTokenizer = preTokenizer,
                SpecialTokens = special,
            });
        }
        int? pad = SpecialTokens.TryGetValue(Tokenization.SpecialTokens.Pad, out var padId) ? padId : null;
        return new LibraryTokenizer(name, encoder, VocabSize, endOfTextId, pad, SpecialTokens.Keys, endOfText);
    }

    /// <summary>Token bytes by id when the vocabulary ids are exactly 0..n-1 (tiktoken ranks), else null.</summary>
    private List<byte[]>? RanksInIdOrder()
    {
        var ranks = new byte[Vocabulary.Count][];
        foreach (var (token, id) in Vocabulary)
        {
            if ((uint)id >= (uint)ranks.Length || ranks[id] is not null) return null;
            ranks[id] = ByteLevelAlphabet.Decode(token);
        }
        return [.. ranks];
    }

    /// <summary>True when rebuilding merges from the ranks gives back exactly <see cref="Merges"/>, so both encoders agree.</summary>
    private bool MergesFollowRanks(IReadOnlyList<byte[]> ranks)
    {
        var rebuilt = RecoverMerges(ranks);
        return rebuilt is not null && rebuilt.SequenceEqual(Merges);
    }

    /// <summary>
    /// Rebuilds merges from tiktoken ranks (token bytes in rank order): each token's merge is found by running BPE on its
    /// bytes with only lower-ranked tokens until two parts remain. This is how tiktoken vocabularies are exported to
    /// tokenizer.json, so both formats encode alike.
    /// </summary>
    public static ByteLevelBpeModel FromTiktokenRanks(IReadOnlyList<byte[]> ranks, IReadOnlyDictionary<string, int> specialTokens, string preTokenizerPattern)
    {
        var merges = RecoverMerges(ranks) ?? throw new InvalidDataException("tiktoken ranks: some token cannot be built from lower ranks");
        var vocabulary = new Dictionary<string, int>(ranks.Count, StringComparer.Ordinal);
        for (var r = 0; r < ranks.Count; r++) vocabulary[ByteLevelAlphabet.Encode(ranks[r])] = r;
        return new ByteLevelBpeModel(vocabulary, merges, specialTokens, preTokenizerPattern);
    }

    /// <summary>The merge that builds each multi-byte token from lower-ranked ones, in rank order; null if one cannot be built.</summary>
    private static List<BpeMerge>? RecoverMerges(IReadOnlyList<byte[]> ranks)
    {
        var rankOf = new Dictionary<string, int>(ranks.Count, StringComparer.Ordinal);
        for (var r = 0; r < ranks.Count; r++) rankOf[ByteLevelAlphabet.Encode(ranks[r])] = r;
        var merges = new List<BpeMerge>();
        var parts = new List<string>();
        for (var r = 0; r < ranks.Count; r++)
        {
            if (ranks[r].Length < 2) continue;
            parts.Clear();
            foreach (var b in ranks[r]) parts.Add(ByteLevelAlphabet.CharOf(b).ToString());
            while (parts.Count > 2)
            {
                var best = -1;
                var bestRank = int.MaxValue;
                for (var i = 0; i + 1 < parts.Count; i++)
                {
                    if (rankOf.TryGetValue(parts[i] + parts[i + 1], out var pairRank) && pairRank < r && pairRank < bestRank)
                    {
                        best = i;
                        bestRank = pairRank;
                    }
                }
                if (best < 0) return null;
                parts[best] += parts[best + 1];
                parts.RemoveAt(best + 1);
            }
            merges.Add(new BpeMerge(parts[0], parts[1]));
        }
        return merges;
    }

    /// <summary>UTF-8 bytes of a vocabulary token (not of special tokens).</summary>
    public static string DisplayToken(string byteLevelToken) => Encoding.UTF8.GetString(ByteLevelAlphabet.Decode(byteLevelToken));
}
