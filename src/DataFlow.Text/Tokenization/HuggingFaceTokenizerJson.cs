using System.Text;
using System.Text.Json;

namespace DataFlow.Text.Tokenization;

/// <summary>
/// Reads and writes byte-level BPE tokenizers in Hugging Face's tokenizer.json format, so that a tokenizer trained here
/// loads in HF tokenizers (Python, Rust, Tokenizers.DotNet) and GPT-2-style tokenizer.json files load here.
/// Written form: model BPE with vocab (special tokens included, at their ids) and "a b" merges, special tokens as added_tokens, and a pre-tokenizer
/// Sequence of Split(regex, Isolated) then ByteLevel(use_regex = false); decoder ByteLevel.
/// Read forms: that, or a plain ByteLevel pre-tokenizer with use_regex = true (GPT-2's regex).
/// </summary>
public static class HuggingFaceTokenizerJson
{
    public static string Write(ByteLevelBpeModel model)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("version", "1.0");
            json.WriteNull("truncation");
            json.WriteNull("padding");
            json.WriteStartArray("added_tokens");
            foreach (var (content, id) in model.SpecialTokens.OrderBy(t => t.Value))
            {
                json.WriteStartObject();
                json.WriteNumber("id", id);
                json.WriteString("content", content);
                json.WriteBoolean("single_word", false);
                json.WriteBoolean("lstrip", false);
                json.WriteBoolean("rstrip", false);
                json.WriteBoolean("normalized", false);
                json.WriteBoolean("special", true);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNull("normalizer");

            json.WriteStartObject("pre_tokenizer");
            json.WriteString("type", "Sequence");
            json.WriteStartArray("pretokenizers");
            json.WriteStartObject();
            json.WriteString("type", "Split");
            json.WriteStartObject("pattern");
            json.WriteString("Regex", model.PreTokenizerPattern);
            json.WriteEndObject();
            json.WriteString("behavior", "Isolated");
            json.WriteBoolean("invert", false);
            json.WriteEndObject();
            WriteByteLevel(json, useRegex: false);
            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteNull("post_processor");
            json.WritePropertyName("decoder");
            WriteByteLevel(json, useRegex: true);

            json.WriteStartObject("model");
            json.WriteString("type", "BPE");
            json.WriteNull("dropout");
            json.WriteNull("unk_token");
            json.WriteNull("continuing_subword_prefix");
            json.WriteNull("end_of_word_suffix");
            json.WriteBoolean("fuse_unk", false);
            json.WriteBoolean("byte_fallback", false);
            json.WriteBoolean("ignore_merges", false);
            json.WriteStartObject("vocab");
            foreach (var (token, id) in VocabWithSpecialTokens(model)) json.WriteNumber(token, id);
            json.WriteEndObject();
            json.WriteStartArray("merges");
            foreach (var merge in model.Merges) json.WriteStringValue($"{merge.Left} {merge.Right}");
            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// The BPE vocabulary with the special tokens in it too, by id, as GPT-2's own tokenizer.json lists &lt;|endoftext|&gt;:
    /// Hugging Face tokenizers keeps an added token's id only when the model's vocabulary has it and otherwise numbers it
    /// from the end of the vocabulary, which moves the special tokens of vocabularies with gaps (cl100k's &lt;|endoftext|&gt;
    /// 100257 would read as 100256). <see cref="Read"/> takes them out again.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, int>> VocabWithSpecialTokens(ByteLevelBpeModel model) =>
        model.Vocabulary.Where(t => !model.SpecialTokens.ContainsKey(t.Key)).Concat(model.SpecialTokens).OrderBy(t => t.Value);

    private static void WriteByteLevel(Utf8JsonWriter json, bool useRegex)
    {
        json.WriteStartObject();
        json.WriteString("type", "ByteLevel");
        json.WriteBoolean("add_prefix_space", false);
        json.WriteBoolean("trim_offsets", true);
        json.WriteBoolean("use_regex", useRegex);
        json.WriteEndObject();
    }

    /// <summary>Parses a byte-level BPE tokenizer.json; <paramref name="source"/> names it in errors.</summary>
    public static ByteLevelBpeModel Read(string json, string source)
    {
        using var document = Parse(json, source);
        var root = document.RootElement;

        if (root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind != JsonValueKind.Null)
            throw new NotSupportedException($"{source}: normalizer '{TypeOf(normalizer)}' is not supported (byte-level BPE only)");

        var model = Required(root, "model", source);
        if (TypeOf(model) != "BPE") throw new NotSupportedException($"{source}: model type '{TypeOf(model)}' is not supported (BPE only)");

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in Required(model, "vocab", source).EnumerateObject()) vocabulary[entry.Name] = entry.Value.GetInt32();

        var merges = new List<BpeMerge>();
        foreach (var merge in Required(model, "merges", source).EnumerateArray())
        {
            merges.Add(merge.ValueKind switch
            {
                // Older files write "left right"; newer ones a two-element array.
                JsonValueKind.String => SplitMerge(merge.GetString()!, source),
                JsonValueKind.Array when merge.GetArrayLength() == 2 => new BpeMerge(merge[0].GetString()!, merge[1].GetString()!),
                _ => throw new InvalidDataException($"{source}: merge {merges.Count} is neither \"a b\" nor [a, b]"),
            });
        }

        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
        {
            foreach (var token in added.EnumerateArray())
            {
                var content = Required(token, "content", source).GetString()!;
                var id = Required(token, "id", source).GetInt32();
                special[content] = id;
                vocabulary.Remove(content); // some files list added tokens in the vocab as well
            }
        }

        var pattern = PatternOf(Required(root, "pre_tokenizer", source), source);
        return new ByteLevelBpeModel(vocabulary, merges, special, pattern);
    }

    private static string PatternOf(JsonElement preTokenizer, string source)
    {
        switch (TypeOf(preTokenizer))
        {
            case "ByteLevel":
                if (preTokenizer.TryGetProperty("add_prefix_space", out var prefix) && prefix.GetBoolean())
                    throw new NotSupportedException($"{source}: ByteLevel add_prefix_space = true is not supported");
                if (preTokenizer.TryGetProperty("use_regex", out var useRegex) && !useRegex.GetBoolean())
                    throw new NotSupportedException($"{source}: a ByteLevel pre-tokenizer without a regex is not supported");
                return PreTokenizerPatterns.Gpt2;
            case "Sequence":
                var steps = Required(preTokenizer, "pretokenizers", source).EnumerateArray().ToArray();
                if (steps.Length == 2 && TypeOf(steps[0]) == "Split" && TypeOf(steps[1]) == "ByteLevel")
                {
                    var behavior = steps[0].TryGetProperty("behavior", out var b) ? b.GetString() : null;
                    var invert = steps[0].TryGetProperty("invert", out var inv) && inv.GetBoolean();
                    var regex = Required(Required(steps[0], "pattern", source), "Regex", source).GetString()!;
                    var useRegexAfter = !steps[1].TryGetProperty("use_regex", out var ur) || ur.GetBoolean();
                    if (behavior != "Isolated" || invert || useRegexAfter)
                        throw new NotSupportedException($"{source}: only Split(Regex, Isolated) followed by ByteLevel(use_regex = false) is supported");
                    return regex;
                }
                throw new NotSupportedException($"{source}: pre-tokenizer sequence {string.Join(", ", steps.Select(TypeOf))} is not supported");
            default:
                throw new NotSupportedException($"{source}: pre-tokenizer '{TypeOf(preTokenizer)}' is not supported");
        }
    }

    private static BpeMerge SplitMerge(string merge, string source)
    {
        var space = merge.IndexOf(' ');
        if (space <= 0 || space == merge.Length - 1 || merge.IndexOf(' ', space + 1) >= 0)
            throw new InvalidDataException($"{source}: merge '{merge}' is not two tokens separated by one space");
        return new BpeMerge(merge[..space], merge[(space + 1)..]);
    }

    private static JsonDocument Parse(string json, string source)
    {
        try { return JsonDocument.Parse(json); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: not valid JSON ({e.Message})", e); }
    }

    private static JsonElement Required(JsonElement element, string name, string source) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new InvalidDataException($"{source}: missing '{name}'");

    private static string TypeOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("type", out var type) ? type.GetString() ?? "" : element.ValueKind.ToString();
}
