using System.Text.Json.Nodes;
using DataFlow.Text.Chat;
using DataFlow.Text.Tokenization;
using DataFlow.Trainer.Model;

namespace DataFlow.Trainer.Interop;

/// <summary>
/// The tokenizer files of a Hugging Face folder: <c>tokenizer.json</c> (our model folder's byte-level BPE file, with every
/// chat token the model has an embedding for listed in added_tokens), <c>tokenizer_config.json</c> (PreTrainedTokenizerFast
/// with our Jinja chat template) and <c>special_tokens_map.json</c>.
/// </summary>
public static class HfTokenizerFiles
{
    public const string TokenizerFile = "tokenizer.json";
    public const string ConfigFile = "tokenizer_config.json";
    public const string SpecialTokensFile = "special_tokens_map.json";

    /// <summary>The padding id a model of <paramref name="vocabSize"/> rows can use: ours, or end-of-text when ours lies beyond the embedding (a base model whose chat tokens were never added).</summary>
    public static int PadId(ChatTokenizer tokenizer, int vocabSize) => tokenizer.PadId < vocabSize ? tokenizer.PadId : tokenizer.EndOfTextId;

    /// <summary>Writes the three files for the model in <paramref name="modelDir"/> into <paramref name="outDir"/>.</summary>
    public static void Export(string modelDir, ModelConfig model, ChatTokenizer tokenizer, string outDir)
    {
        var source = Path.Combine(modelDir, ModelTokenizer.TokenizerFile);
        if (!File.Exists(source))
            throw new InvalidDataException(
                $"{modelDir}: the model folder has no {ModelTokenizer.TokenizerFile} (its tokenizer is '{tokenizer.Source}'); a Hugging Face export needs the byte-level BPE file");
        var json = JsonNode.Parse(File.ReadAllText(source)) as JsonObject ?? throw new InvalidDataException($"{source}: not a JSON object");
        // Only tokens the model has rows for: a base model exports before SFT grew its embedding by the chat tokens, which
        // the folder's tokenizer.json already lists (older folders list them only in tokenizer_config.json: added here).
        var added = new JsonArray((json["added_tokens"] as JsonArray ?? []).Where(t => t!["id"]!.GetValue<int>() < model.VocabSize)
            .Select(t => t!.DeepClone()).ToArray());
        json["added_tokens"] = added;
        var listed = added.Select(t => t!["content"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        var listedIds = added.Select(t => t!["id"]!.GetValue<int>()).ToHashSet();
        // By id as well: the chat role <|endoftext|> of a vocabulary that spells it otherwise is that vocabulary's token.
        foreach (var (content, id) in tokenizer.ChatTokens.OrderBy(t => t.Value))
            if (id < model.VocabSize && listedIds.Add(id) && listed.Add(content)) added.Add(AddedToken(id, content));
        // The BPE vocabulary lists the added tokens at their ids (HuggingFaceTokenizerJson.Write's layout), none the model lacks.
        if (json["model"]?["vocab"] is JsonObject vocab)
        {
            foreach (var token in vocab.Where(t => t.Value!.GetValue<int>() >= model.VocabSize).Select(t => t.Key).ToList()) vocab.Remove(token);
            foreach (var token in added) vocab[token!["content"]!.GetValue<string>()] = token["id"]!.GetValue<int>();
        }
        File.WriteAllText(Path.Combine(outDir, TokenizerFile), json.ToJsonString(HfExport.Json));

        var eos = tokenizer.EndOfText;
        var pad = TokenOf(tokenizer, PadId(tokenizer, model.VocabSize));
        var decoder = new JsonObject();
        foreach (var token in added.OrderBy(t => t!["id"]!.GetValue<int>()))
            decoder[token!["id"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["content"] = token["content"]!.GetValue<string>(),
                ["lstrip"] = false, ["normalized"] = false, ["rstrip"] = false, ["single_word"] = false, ["special"] = true,
            };
        var chat = tokenizer.ChatTokens.Where(t => t.Value < model.VocabSize && t.Value != tokenizer.EndOfTextId && t.Key != pad)
            .OrderBy(t => t.Value).Select(t => t.Key).ToList();
        var config = new JsonObject
        {
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["bos_token"] = eos,
            ["eos_token"] = eos,
            ["pad_token"] = pad,
            ["unk_token"] = eos, // byte-level BPE never produces an unknown token; GPT-2's convention
            ["add_bos_token"] = false,
            ["add_eos_token"] = false,
            ["clean_up_tokenization_spaces"] = false,
            ["model_max_length"] = model.ContextLength,
            ["additional_special_tokens"] = new JsonArray(chat.Select(t => (JsonNode)t).ToArray()),
            ["added_tokens_decoder"] = decoder,
            ["chat_template"] = ModelTokenizer.ChatTemplateOf(modelDir),
        };
        File.WriteAllText(Path.Combine(outDir, ConfigFile), config.ToJsonString(HfExport.Json));
        var map = new JsonObject
        {
            ["bos_token"] = eos, ["eos_token"] = eos, ["pad_token"] = pad, ["unk_token"] = eos,
            ["additional_special_tokens"] = new JsonArray(chat.Select(t => (JsonNode)t).ToArray()),
        };
        File.WriteAllText(Path.Combine(outDir, SpecialTokensFile), map.ToJsonString(HfExport.Json));
    }

    /// <summary>
    /// Copies <c>HF_DIR/tokenizer.json</c> into <paramref name="modelDir"/> and loads it as the model's tokenizer, its
    /// end-of-text token the one the folder declares (<see cref="EndOfTextToken"/>: LLaMA 3's &lt;|end_of_text|&gt;); a file
    /// that is not byte-level BPE, or has no end-of-text token, fails with the file and the unsupported part named.
    /// </summary>
    public static ChatTokenizer Import(string hfDir, string modelDir)
    {
        var source = Path.Combine(hfDir, TokenizerFile);
        if (!File.Exists(source)) throw new FileNotFoundException($"{hfDir}: no {TokenizerFile} (only fast, byte-level BPE tokenizers are imported)", source);
        ByteLevelBpeModel model;
        try { model = HuggingFaceTokenizerJson.Read(File.ReadAllText(source), source); }
        catch (Exception e) when (e is NotSupportedException or InvalidDataException)
        {
            throw new NotSupportedException($"{e.Message}; only byte-level BPE tokenizers (GPT-2 style) are imported, not SentencePiece (Metaspace / byte_fallback) ones", e);
        }
        string endOfText;
        try { endOfText = EndOfTextToken.Find(source, model); }
        catch (InvalidDataException e)
        {
            throw new NotSupportedException($"{e.Message}; DataFlow needs the vocabulary's end-of-text token: it ends every document and training conversation with it", e);
        }
        model.CreateTokenizer(source, endOfText: endOfText); // the checks ChatTokenizer.Load makes, named by the source file
        var target = Path.Combine(modelDir, ModelTokenizer.TokenizerFile);
        File.Copy(source, target, overwrite: true);
        return ChatTokenizer.Load(target, endOfText: endOfText);
    }

    private static string TokenOf(ChatTokenizer tokenizer, int id) =>
        id == tokenizer.EndOfTextId ? tokenizer.EndOfText
            : tokenizer.ChatTokens.Where(t => t.Value == id).Select(t => t.Key).FirstOrDefault() ?? tokenizer.Decode([id]);

    private static JsonObject AddedToken(int id, string content) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false,
        ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
    };
}
