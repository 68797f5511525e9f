using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace DataFlow.Text.Tokenization;

/// <summary>
/// A byte-level BPE tokenizer's data: vocabulary (byte-level strings to ids), merges in priority order,
/// special tokens and the pre-tokenization regex. Serializes to and from Hugging Face tokenizer.json
/// (<see cref="HuggingFaceTokenizerJson"/>) and builds a Microsoft.ML.Tokenizers BPE tokenizer for encoding.
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

    /// <summary>Builds the encoder (Microsoft.ML.Tokenizers BPE in byte-level mode) for this model.</summary>
    public LibraryTokenizer CreateTokenizer(string name)
    {
        if (!SpecialTokens.TryGetValue(Tokenization.SpecialTokens.EndOfText, out var endOfText))
            throw new InvalidOperationException($"{name}: tokenizer has no {Tokenization.SpecialTokens.EndOfText} token to separate documents");
        var special = SpecialTokens.Count == 0 ? null : SpecialTokens;
        var options = new BpeOptions(Vocabulary)
        {
            Merges = Merges.Select(m => $"{m.Left} {m.Right}"),
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(new Regex(PreTokenizerPattern, RegexOptions.Compiled), special),
            SpecialTokens = special,
        };
        int? pad = SpecialTokens.TryGetValue(Tokenization.SpecialTokens.Pad, out var padId) ? padId : null;
        return new LibraryTokenizer(name, BpeTokenizer.Create(options), VocabSize, endOfText, pad);
    }

    /// <summary>
    /// Rebuilds merges from tiktoken ranks (token bytes in rank order): each token's merge is found by running BPE on its
    /// bytes with only lower-ranked tokens until two parts remain. This is how tiktoken vocabularies are exported to
    /// tokenizer.json, so both formats encode alike.
    /// </summary>
    public static ByteLevelBpeModel FromTiktokenRanks(IReadOnlyList<byte[]> ranks, IReadOnlyDictionary<string, int> specialTokens, string preTokenizerPattern)
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
                if (best < 0) throw new InvalidDataException($"tiktoken rank {r} cannot be built from lower ranks");
                parts[best] += parts[best + 1];
                parts.RemoveAt(best + 1);
            }
            merges.Add(new BpeMerge(parts[0], parts[1]));
        }
        return new ByteLevelBpeModel(rankOf, merges, specialTokens, preTokenizerPattern);
    }

    /// <summary>UTF-8 bytes of a vocabulary token (not of special tokens).</summary>
    public static string DisplayToken(string byteLevelToken) => Encoding.UTF8.GetString(ByteLevelAlphabet.Decode(byteLevelToken));
}
