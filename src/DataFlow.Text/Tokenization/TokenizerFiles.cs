namespace DataFlow.Text.Tokenization;

/// <summary>Chooses how to read a tokenizer: a known name, Hugging Face tokenizer.json (byte-level BPE) or a character tokenizer.</summary>
public static class TokenizerFiles
{
    /// <summary>Loads a known name (bytes, gpt2, cl100k_base, o200k_base) or the tokenizer JSON file at <paramref name="nameOrPath"/>.</summary>
    /// <param name="baseVocabSize">
    /// For a file: ids at or above it are tokens added to the base vocabulary (the chat tokens a model folder's tokenizer.json
    /// carries) and are left out, so the result is the base vocabulary the added tokens were appended to.
    /// </param>
    /// <param name="endOfText">For a byte-level file: its document separator; null reads it from the file's folder (<see cref="EndOfTextToken"/>).</param>
    public static ITextTokenizer Load(string nameOrPath, int? baseVocabSize = null, string? endOfText = null)
    {
        if (nameOrPath == ByteTextTokenizer.KnownName) return new ByteTextTokenizer();
        if (KnownTokenizers.IsKnown(nameOrPath)) return KnownTokenizers.Load(nameOrPath);
        if (!File.Exists(nameOrPath))
            throw new FileNotFoundException($"tokenizer '{nameOrPath}' is neither a known name ({string.Join(", ", KnownTokenizers.Names)}, {ByteTextTokenizer.KnownName}) nor an existing file", nameOrPath);
        var json = File.ReadAllText(nameOrPath);
        if (baseVocabSize is { } size && !IsCharacterTokenizer(json))
        {
            var model = HuggingFaceTokenizerJson.Read(json, nameOrPath);
            var separator = endOfText ?? EndOfTextToken.Find(nameOrPath, model);
            return WithoutIdsFrom(model, size, nameOrPath).CreateTokenizer(nameOrPath, endOfText: separator);
        }
        return FromJson(json, nameOrPath, endOfText);
    }

    /// <summary>
    /// A known name or a tokenizer JSON file as a byte-level BPE model (what Hugging Face tokenizer.json and GGUF hold);
    /// null for a character tokenizer, which has no such form.
    /// </summary>
    public static ByteLevelBpeModel? ByteLevelModel(string nameOrPath, int? baseVocabSize = null)
    {
        if (nameOrPath == ByteTextTokenizer.KnownName) return ByteTextTokenizer.ByteLevelModel();
        if (KnownTokenizers.IsKnown(nameOrPath)) return KnownTokenizers.ByteLevelModel(nameOrPath);
        var json = File.ReadAllText(nameOrPath);
        if (IsCharacterTokenizer(json)) return null;
        var model = HuggingFaceTokenizerJson.Read(json, nameOrPath);
        return baseVocabSize is { } size ? WithoutIdsFrom(model, size, nameOrPath) : model;
    }

    /// <summary>Parses tokenizer JSON already read from <paramref name="source"/> (a path, used as the name and in errors).</summary>
    /// <param name="endOfText">For byte-level BPE: its document separator; null reads it from the folder of <paramref name="source"/> (<see cref="EndOfTextToken"/>).</param>
    public static ITextTokenizer FromJson(string json, string source, string? endOfText = null)
    {
        if (IsCharacterTokenizer(json)) return CharacterTokenizer.FromJson(json, source);
        var model = HuggingFaceTokenizerJson.Read(json, source);
        return model.CreateTokenizer(source, endOfText: endOfText ?? EndOfTextToken.Find(source, model));
    }

    private static bool IsCharacterTokenizer(string json) => json.Contains($"\"{CharacterTokenizer.JsonType}\"", StringComparison.Ordinal);

    private static ByteLevelBpeModel WithoutIdsFrom(ByteLevelBpeModel model, int baseVocabSize, string source)
    {
        if (model.Vocabulary.Values.Any(id => id >= baseVocabSize))
            throw new InvalidDataException($"{source}: vocabulary ids reach {model.Vocabulary.Values.Max()}, above the base vocabulary of {baseVocabSize} ids");
        var special = model.SpecialTokens.Where(t => t.Value < baseVocabSize).ToDictionary(StringComparer.Ordinal);
        return new ByteLevelBpeModel(model.Vocabulary, model.Merges, special, model.PreTokenizerPattern);
    }
}
