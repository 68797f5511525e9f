using System.Globalization;
using System.IO.Hashing;
using DataFlow.Text.Chat;

namespace DataFlow.Trainer.Sft;

/// <summary>
/// The key-value metadata of an SFT shard: row width, layout, pad id and the tokenizer its ids are in (source, vocabulary
/// size and a hash of the vocabulary's content, so two model folders holding copies of one tokenizer file match).
/// </summary>
public sealed record SftShardMetadata(int MaxTokens, SftShardLayout Layout, int PadId, string Tokenizer, int? VocabSize, string? TokenizerHash)
{
    public const string MaxTokensKey = "dataflow.max_tokens";
    public const string LayoutKey = "dataflow.sft_layout";
    public const string PadIdKey = "dataflow.pad_id";
    public const string TokenizerKey = "dataflow.tokenizer";
    public const string VocabSizeKey = "dataflow.vocab_size";
    public const string TokenizerHashKey = "dataflow.tokenizer_hash";

    public static SftShardMetadata Of(ChatTokenizer tokenizer, int maxTokens, SftShardLayout layout) =>
        new(maxTokens, layout, tokenizer.PadId, tokenizer.Source, tokenizer.VocabSize, HashOf(tokenizer));

    public Dictionary<string, string> ToKeys()
    {
        var keys = new Dictionary<string, string>
        {
            [MaxTokensKey] = MaxTokens.ToString(CultureInfo.InvariantCulture),
            [LayoutKey] = Layout.ToString().ToLowerInvariant(),
            [PadIdKey] = PadId.ToString(CultureInfo.InvariantCulture),
            [TokenizerKey] = Tokenizer,
        };
        if (VocabSize is { } vocab) keys[VocabSizeKey] = vocab.ToString(CultureInfo.InvariantCulture);
        if (TokenizerHash is { } hash) keys[TokenizerHashKey] = hash;
        return keys;
    }

    /// <summary>Reads the keys of the shard at <paramref name="path"/>; a file without them is not an SFT shard.</summary>
    public static SftShardMetadata Parse(string path, IReadOnlyDictionary<string, string> keys)
    {
        string Required(string key) => keys.TryGetValue(key, out var value)
            ? value
            : throw new InvalidDataException($"{path}: not an SFT shard written by sft_prepare (metadata key '{key}' is missing)");
        int Integer(string key, string text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new InvalidDataException($"{path}: metadata key '{key}' is '{text}', not an integer");
        var layout = Required(LayoutKey) switch
        {
            "padded" => SftShardLayout.Padded,
            "packed" => SftShardLayout.Packed,
            var other => throw new InvalidDataException($"{path}: metadata key '{LayoutKey}' is '{other}', expected padded or packed"),
        };
        return new SftShardMetadata(Integer(MaxTokensKey, Required(MaxTokensKey)), layout, Integer(PadIdKey, Required(PadIdKey)), Required(TokenizerKey),
            keys.TryGetValue(VocabSizeKey, out var vocab) ? Integer(VocabSizeKey, vocab) : null, keys.GetValueOrDefault(TokenizerHashKey));
    }

    /// <summary>
    /// Stops unless the shard's ids are <paramref name="tokenizer"/>'s (same vocabulary size and content, or for shards
    /// written before the hash was recorded, the same source): otherwise every id would mean a different token.
    /// </summary>
    public void CheckTokenizer(string path, ChatTokenizer tokenizer, string modelSide)
    {
        var same = TokenizerHash is null
            ? Tokenizer == tokenizer.Source
            : TokenizerHash == HashOf(tokenizer) && VocabSize == tokenizer.VocabSize;
        if (!same)
            throw new InvalidDataException(
                $"{path}: the SFT shard was tokenized with '{Tokenizer}' ({VocabSize?.ToString(CultureInfo.InvariantCulture) ?? "?"} ids), " +
                $"but {modelSide} uses tokenizer '{tokenizer.Source}' ({tokenizer.VocabSize} ids); prepare the data again with that model's tokenizer (sft_prepare tokenizer: <model folder>)");
    }

    /// <summary>The vocabulary's identity: XxHash64 of the tokenizer file, or the known tokenizer's name; with the chat tokens' ids.</summary>
    public static string HashOf(ChatTokenizer tokenizer)
    {
        var vocabulary = File.Exists(tokenizer.Source) ? XxHash64.HashToUInt64(File.ReadAllBytes(tokenizer.Source)).ToString("x16", CultureInfo.InvariantCulture) : tokenizer.Source;
        var chat = string.Join(",", tokenizer.ChatTokens.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));
        return $"{vocabulary};{chat}";
    }
}
