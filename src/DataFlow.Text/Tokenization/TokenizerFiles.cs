namespace DataFlow.Text.Tokenization;

/// <summary>Chooses how to read a tokenizer: a known name, Hugging Face tokenizer.json (byte-level BPE) or a character tokenizer.</summary>
public static class TokenizerFiles
{
    /// <summary>Loads a known name (bytes, gpt2, cl100k_base, o200k_base) or the tokenizer JSON file at <paramref name="nameOrPath"/>.</summary>
    public static ITextTokenizer Load(string nameOrPath)
    {
        if (nameOrPath == ByteTextTokenizer.KnownName) return new ByteTextTokenizer();
        if (KnownTokenizers.IsKnown(nameOrPath)) return KnownTokenizers.Load(nameOrPath);
        if (!File.Exists(nameOrPath))
            throw new FileNotFoundException($"tokenizer '{nameOrPath}' is neither a known name ({string.Join(", ", KnownTokenizers.Names)}, {ByteTextTokenizer.KnownName}) nor an existing file", nameOrPath);
        return FromJson(File.ReadAllText(nameOrPath), nameOrPath);
    }

    /// <summary>Parses tokenizer JSON already read from <paramref name="source"/> (a path, used as the name and in errors).</summary>
    public static ITextTokenizer FromJson(string json, string source)
    {
        if (json.Contains($"\"{CharacterTokenizer.JsonType}\"", StringComparison.Ordinal))
            return CharacterTokenizer.FromJson(json, source);
        return HuggingFaceTokenizerJson.Read(json, source).CreateTokenizer(source);
    }
}
