using System.Text.Json;
using System.Text.Json.Nodes;
using DataFlow.Text.Chat;
using DataFlow.Text.Tokenization;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Model;

/// <summary>
/// The tokenizer half of a model folder: <c>tokenizer_config.json</c> (which base vocabulary, the chat tokens with their
/// ids, end-of-text and padding, and a Jinja <c>chat_template</c> that renders what the chat stages train on) and
/// <c>tokenizer.json</c>, the whole vocabulary with the chat tokens in Hugging Face's format, for every byte-level
/// vocabulary (bytes, gpt2, cl100k_base, o200k_base, trained); a character tokenizer keeps its own JSON there. Every consumer of a model reads its tokenizer
/// here, so a model trained on any vocabulary is fine-tuned, evaluated and chatted with in that vocabulary.
/// </summary>
public static class ModelTokenizer
{
    public const string ConfigFile = "tokenizer_config.json";
    public const string TokenizerFile = "tokenizer.json";

    /// <summary>
    /// The template of <see cref="ChatTemplate.Default"/> in Jinja (Hugging Face's chat_template). With add_generation_prompt
    /// it renders <see cref="ChatTemplate.RenderPrompt"/> (an open assistant turn); without, <see cref="ChatTemplate.Render"/>,
    /// the training text, which ends with end-of-text. No system turn or BOS is added: the trainer adds neither.
    /// End-of-text is <c>eos_token</c>, which transformers and llama.cpp pass to the template, so one template serves every
    /// vocabulary (&lt;|endoftext|&gt; for ours and GPT-2, &lt;|end_of_text|&gt; for LLaMA 3).
    /// </summary>
    public const string JinjaChatTemplate =
        "{% for message in messages %}{% if message['role'] != 'system' or message['content'] %}" +
        "{{ '<|' + message['role'] + '|>\\n' + message['content'] + '<|end|>\\n' }}{% endif %}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}";

    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, ConfigFile));

    /// <summary>The chat template the model in <paramref name="folder"/> was trained with (recorded at save), else today's.</summary>
    public static string ChatTemplateOf(string folder)
    {
        var path = Path.Combine(folder, ConfigFile);
        if (File.Exists(path) && JsonNode.Parse(File.ReadAllText(path)) is JsonObject config && config["chat_template"] is JsonValue template)
            return template.GetValue<string>();
        return JinjaChatTemplate;
    }

    /// <summary>Writes the tokenizer files into <paramref name="folder"/> (created if needed).</summary>
    public static void Save(string folder, ChatTokenizer tokenizer)
    {
        Directory.CreateDirectory(folder);
        var fromFile = !KnownName(tokenizer.Source);
        var json = Path.Combine(folder, TokenizerFile);
        if (tokenizer.HuggingFaceJson() is { } huggingFace)
            WriteAtomically(json, huggingFace);
        else if (Path.GetFullPath(tokenizer.Source) != Path.GetFullPath(json))
            File.Copy(tokenizer.Source, json, overwrite: true); // a character tokenizer: its own JSON, no Hugging Face form
        var added = new JsonArray(tokenizer.AddedTokens.OrderBy(t => t.Key).Select(t => (JsonNode)new JsonObject { ["id"] = t.Key, ["content"] = t.Value }).ToArray());
        var config = new JsonObject
        {
            ["dataflow_tokenizer"] = fromFile ? TokenizerFile : tokenizer.Source,
            ["vocab_size"] = tokenizer.VocabSize,
            ["base_vocab_size"] = tokenizer.BaseVocabSize,
            ["eos_token"] = tokenizer.EndOfText,
            ["eos_token_id"] = tokenizer.EndOfTextId,
            ["pad_token_id"] = tokenizer.PadId,
            ["chat_tokens"] = new JsonObject(tokenizer.ChatTokens.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))),
            ["added_tokens"] = added,
            ["chat_template"] = JinjaChatTemplate,
        };
        WriteAtomically(Path.Combine(folder, ConfigFile), config.ToJsonString(TrainerJson.Options));
    }

    private static bool KnownName(string source) => source == ByteTextTokenizer.KnownName || KnownTokenizers.IsKnown(source);

    private static void WriteAtomically(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Loads the tokenizer of the model in <paramref name="folder"/>; throws naming the folder when it has none or it changed.</summary>
    public static ChatTokenizer Load(string folder)
    {
        var path = Path.Combine(folder, ConfigFile);
        if (!File.Exists(path))
            throw new InvalidDataException($"{folder}: the model folder has no {ConfigFile}, so its tokenizer is unknown (models published by this version carry it; retrain or copy {ConfigFile} and {TokenizerFile} from the model it came from)");
        JsonObject config;
        try
        {
            config = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: corrupt ({e.Message})", e);
        }
        var source = config["dataflow_tokenizer"]?.GetValue<string>() ?? throw new InvalidDataException($"{path}: key 'dataflow_tokenizer' is missing");
        // The vocabulary's document separator (an imported LLaMA 3: <|end_of_text|>); folders written before it was recorded used ours.
        var endOfText = config["eos_token"]?.GetValue<string>() ?? SpecialTokens.EndOfText;
        // The folder's tokenizer.json lists the added chat tokens too; the base vocabulary ends at base_vocab_size.
        var tokenizer = source == TokenizerFile
            ? ChatTokenizer.Load(Path.Combine(folder, TokenizerFile), config["base_vocab_size"]?.GetValue<int>(), endOfText)
            : ChatTokenizer.Load(source);
        if (tokenizer.EndOfText != endOfText)
            throw new InvalidDataException($"{path}: eos_token '{endOfText}', but tokenizer '{source}' separates documents with '{tokenizer.EndOfText}'");
        var recorded = config["vocab_size"]?.GetValue<int>();
        if (recorded != tokenizer.VocabSize)
            throw new InvalidDataException($"{path}: vocab_size {recorded}, but tokenizer '{source}' loads with {tokenizer.VocabSize} ids");
        if (config["chat_tokens"] is JsonObject chat)
            foreach (var (token, id) in chat)
                if (id?.GetValue<int>() != tokenizer.ChatTokens.GetValueOrDefault(token, -1))
                    throw new InvalidDataException($"{path}: chat token '{token}' has id {id}, but tokenizer '{source}' gives it {tokenizer.ChatTokens.GetValueOrDefault(token, -1)}");
        return tokenizer;
    }

    /// <summary>
    /// Checks that a model of <paramref name="model"/> sizes can run with <paramref name="tokenizer"/>: the same number of ids,
    /// or (<paramref name="allowGrowth"/>) the base vocabulary, whose missing chat tokens <see cref="GrowVocabulary"/> then adds.
    /// </summary>
    public static void Check(ModelConfig model, string modelSide, ChatTokenizer tokenizer, string tokenizerSide, bool allowGrowth = false)
    {
        if (model.VocabSize == tokenizer.VocabSize) return;
        if (allowGrowth && model.VocabSize == tokenizer.BaseVocabSize) return;
        throw new InvalidDataException(
            $"{modelSide} has a vocabulary of {model.VocabSize} ids, but {tokenizerSide} (tokenizer '{tokenizer.Name}') has {tokenizer.VocabSize}" +
            (tokenizer.AddedTokens.Count > 0 ? $" ({tokenizer.BaseVocabSize} base + {tokenizer.AddedTokens.Count} chat tokens)" : ""));
    }

    /// <summary>
    /// A copy of <paramref name="model"/> with the embedding and the output head (tied or untied) grown to <paramref name="vocabSize"/> rows.
    /// New rows start at the mean of the existing rows (Hewitt, 2021: the new tokens then start with the average
    /// next-token distribution instead of an arbitrary one); every other weight is copied.
    /// </summary>
    public static Transformer GrowVocabulary(Transformer model, int vocabSize)
    {
        var old = model.Config.VocabSize;
        if (vocabSize < old) throw new ArgumentException($"cannot shrink the vocabulary from {old} to {vocabSize}");
        var grown = new Transformer(model.Config with { VocabSize = vocabSize });
        using (no_grad())
        {
            var source = model.state_dict();
            foreach (var (name, tensor) in grown.state_dict())
            {
                var from = source[name];
                if (name is "tok_embeddings.weight" or "output.weight")
                {
                    tensor.narrow(0, 0, old).copy_(from);
                    tensor.narrow(0, old, vocabSize - old).copy_(from.mean([0], keepdim: true).expand(vocabSize - old, -1));
                }
                else tensor.copy_(from);
            }
        }
        return grown;
    }
}
