using Microsoft.ML.Tokenizers;

namespace DataFlow.Text.Tokenization;

/// <summary>Published tokenizers shipped in the Microsoft.ML.Tokenizers data packages, by encoding name.</summary>
public static class KnownTokenizers
{
    public const string Gpt2 = "gpt2";
    public const string Cl100kBase = "cl100k_base";
    public const string O200kBase = "o200k_base";

    public static IReadOnlyList<string> Names { get; } = [Gpt2, Cl100kBase, O200kBase];

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>The encoder of <paramref name="name"/>: tiktoken's rank rule over the packaged ranks, the encoding's published regex and special tokens.</summary>
    public static ByteLevelBpeEncoder Load(string name) =>
        ByteLevelBpeEncoder.FromRanks(name, Ranks(name), SpecialTokensOf(name), PatternOf(name));

    /// <summary>Microsoft.ML.Tokenizers' own Tiktoken encoder of <paramref name="name"/>: the encoder used before <see cref="ByteLevelBpeEncoder"/>, a peer for tests and benchmarks.</summary>
    public static LibraryTokenizer LoadLibrary(string name)
    {
        var tokenizer = name switch
        {
            Gpt2 => TiktokenTokenizer.CreateForModel("gpt2"),
            Cl100kBase or O200kBase => TiktokenTokenizer.CreateForEncoding(name),
            _ => throw UnknownName(name),
        };
        var special = tokenizer.SpecialTokens ?? throw new InvalidOperationException($"{name}: no special tokens");
        // Special tokens sit at the top of every tiktoken encoding, so the largest of them bounds the id range.
        return new LibraryTokenizer(name, tokenizer, special.Values.Max() + 1, special[SpecialTokens.EndOfText], padId: null);
    }

    /// <summary>The special tokens of an encoding as tiktoken publishes them (openai_public.py).</summary>
    public static IReadOnlyDictionary<string, int> SpecialTokensOf(string name) => name switch
    {
        Gpt2 => new Dictionary<string, int>(StringComparer.Ordinal) { [SpecialTokens.EndOfText] = 50256 },
        Cl100kBase => new Dictionary<string, int>(StringComparer.Ordinal)
        {
            [SpecialTokens.EndOfText] = 100257, ["<|fim_prefix|>"] = 100258, ["<|fim_middle|>"] = 100259, ["<|fim_suffix|>"] = 100260,
            ["<|endofprompt|>"] = 100276,
        },
        O200kBase => new Dictionary<string, int>(StringComparer.Ordinal) { [SpecialTokens.EndOfText] = 199999, ["<|endofprompt|>"] = 200018 },
        _ => throw UnknownName(name),
    };

    private static string PatternOf(string name) => name switch
    {
        Gpt2 => PreTokenizerPatterns.Gpt2,
        Cl100kBase => PreTokenizerPatterns.Cl100k,
        O200kBase => PreTokenizerPatterns.O200k,
        _ => throw UnknownName(name),
    };

    private static ArgumentException UnknownName(string name) =>
        new($"unknown tokenizer '{name}'; known: {string.Join(", ", Names)}", nameof(name));

    /// <summary>
    /// The vocabulary <paramref name="name"/> as a byte-level BPE model (tiktoken ranks turned into merges, the encoding's
    /// special tokens and its published pre-tokenizer regex), the form Hugging Face tokenizer.json and GGUF hold.
    /// </summary>
    public static ByteLevelBpeModel ByteLevelModel(string name)
    {
        return ByteLevelBpeModel.FromTiktokenRanks(Ranks(name), SpecialTokensOf(name), PatternOf(name));
    }

    /// <summary>The raw tiktoken ranks (token bytes in rank order) of a known encoding, read from its data package.</summary>
    public static IReadOnlyList<byte[]> Ranks(string name)
    {
        var package = name switch
        {
            Gpt2 => "Gpt2",
            Cl100kBase => "Cl100kBase",
            O200kBase => "O200kBase",
            _ => throw UnknownName(name),
        };
        var assembly = System.Reflection.Assembly.Load($"Microsoft.ML.Tokenizers.Data.{package}");
        using var resource = assembly.GetManifestResourceStream($"{name}.tiktoken.deflate")
            ?? throw new InvalidOperationException($"Microsoft.ML.Tokenizers.Data.{package} no longer embeds {name}.tiktoken.deflate");
        using var inflated = new System.IO.Compression.DeflateStream(resource, System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(inflated);
        var ranks = new List<byte[]>();
        while (reader.ReadLine() is { } line)
        {
            // The packaged file starts with "Capacity: N", then lists base64 tokens, with or without an explicit rank.
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            var space = line.IndexOf(' ');
            if (space >= 0 && int.Parse(line.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture) != ranks.Count)
                throw new InvalidDataException($"{name}.tiktoken: rank {line[(space + 1)..]} out of order");
            ranks.Add(Convert.FromBase64String(space >= 0 ? line[..space] : line));
        }
        return ranks;
    }
}
