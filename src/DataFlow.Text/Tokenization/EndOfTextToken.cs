using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataFlow.Text.Tokenization;

/// <summary>
/// Which special token of a tokenizer.json separates documents, from what its folder says, read as transformers reads it:
/// <c>tokenizer_config.json</c>'s <c>eos_token</c> (a string or <c>{"content": ...}</c>; our model folders record it there
/// too), else <c>config.json</c>'s <c>eos_token_id</c> (a number or a list, whose first is taken), else
/// <see cref="SpecialTokens.EndOfText"/> when the vocabulary has it. LLaMA 3 spells it &lt;|end_of_text|&gt;, Qwen
/// &lt;|endoftext|&gt;: the vocabulary decides, so training text ends with the separator the model was pretrained on.
/// </summary>
public static class EndOfTextToken
{
    public const string TokenizerConfigFile = "tokenizer_config.json";
    public const string ModelConfigFile = "config.json";

    /// <summary>The end-of-text token of <paramref name="model"/>, read from the file at <paramref name="tokenizerJsonPath"/> and its folder.</summary>
    /// <exception cref="InvalidDataException">A declared token the vocabulary lacks, or none declared and no <see cref="SpecialTokens.EndOfText"/>.</exception>
    public static string Find(string tokenizerJsonPath, ByteLevelBpeModel model)
    {
        // Only a real file has a folder to ask; a name like "gpt2-tokenizer.json" given with JSON text has none.
        var folder = File.Exists(tokenizerJsonPath) ? Path.GetDirectoryName(Path.GetFullPath(tokenizerJsonPath)) : null;
        var tokenizerConfig = folder is null ? null : Path.Combine(folder, TokenizerConfigFile);
        if (Read(tokenizerConfig)?["eos_token"] is { } declared)
        {
            var token = declared switch
            {
                JsonObject added => added["content"] is JsonValue content && content.TryGetValue<string>(out var text) ? text : null,
                JsonValue value => value.TryGetValue<string>(out var text) ? text : null,
                _ => null,
            } ?? throw new InvalidDataException($"{tokenizerConfig}: eos_token {declared.ToJsonString()} is neither a string nor {{\"content\": string}}");
            return model.SpecialTokens.ContainsKey(token) ? token
                : throw new InvalidDataException($"{tokenizerConfig}: eos_token '{token}' is not a special token (added_tokens) of {tokenizerJsonPath}");
        }
        var modelConfig = folder is null ? null : Path.Combine(folder, ModelConfigFile);
        if (Read(modelConfig)?["eos_token_id"] is { } declaredId)
        {
            // Chat checkpoints list several stop ids (LLaMA 3.1 Instruct: end_of_text, eom_id, eot_id); the first is the separator.
            var first = declaredId is JsonArray ids ? ids.FirstOrDefault() : declaredId;
            if (first is JsonValue number && number.TryGetValue<int>(out var id))
            {
                foreach (var (token, tokenId) in model.SpecialTokens)
                    if (tokenId == id) return token;
                throw new InvalidDataException($"{modelConfig}: eos_token_id {id} is not a special token (added_tokens) of {tokenizerJsonPath}");
            }
            throw new InvalidDataException($"{modelConfig}: eos_token_id {declaredId.ToJsonString()} is neither a number nor a list of numbers");
        }
        if (model.SpecialTokens.ContainsKey(SpecialTokens.EndOfText)) return SpecialTokens.EndOfText;
        throw new InvalidDataException(
            $"{tokenizerJsonPath}: no end-of-text token to separate documents: looked for eos_token in {tokenizerConfig ?? TokenizerConfigFile + " beside it"}, " +
            $"eos_token_id in {modelConfig ?? ModelConfigFile + " beside it"} and a {SpecialTokens.EndOfText} added token in the file, and found none");
    }

    private static JsonObject? Read(string? path)
    {
        if (path is null || !File.Exists(path)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
    }
}
