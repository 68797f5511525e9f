namespace DataFlow.Text.Tokenization;

/// <summary>Chooses how to read a tokenizer from its JSON text: Hugging Face tokenizer.json (byte-level BPE) or a character tokenizer.</summary>
public static class TokenizerFiles
{
    /// <summary>Parses tokenizer JSON already read from <paramref name="source"/> (a path, used as the name and in errors).</summary>
    public static ITextTokenizer FromJson(string json, string source)
    {
        if (json.Contains($"\"{CharacterTokenizer.JsonType}\"", StringComparison.Ordinal))
            return CharacterTokenizer.FromJson(json, source);
        return HuggingFaceTokenizerJson.Read(json, source).CreateTokenizer(source);
    }
}
