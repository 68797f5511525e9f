using System.Text.Json.Nodes;
using DataFlow.Text.Chat;
using DataFlow.Text.Tokenization;
using DataFlow.Trainer.Model;

namespace DataFlow.Trainer.Interop;

/// <summary>
/// Our <see cref="ModelConfig"/> and Hugging Face's LLaMA <c>config.json</c> (keys as transformers' LlamaConfig names them),
/// both ways. Import accepts exactly what our <see cref="Transformer"/> computes and names the key and value of anything else.
/// </summary>
public static class HfLlamaConfig
{
    public const string Architecture = "LlamaForCausalLM";
    public const string ModelType = "llama";

    /// <summary>config.json of <paramref name="model"/>; token ids from the model's tokenizer (bos = eos = end-of-text: we prepend nothing).</summary>
    public static JsonObject FromModel(ModelConfig model, ChatTokenizer tokenizer) => new()
    {
        ["architectures"] = new JsonArray(Architecture),
        ["model_type"] = ModelType,
        ["vocab_size"] = model.VocabSize,
        ["hidden_size"] = model.Dim,
        ["intermediate_size"] = model.Hidden,
        ["num_hidden_layers"] = model.Layers,
        ["num_attention_heads"] = model.Heads,
        ["num_key_value_heads"] = model.KvHeadCount,
        ["head_dim"] = model.HeadDim,
        ["hidden_act"] = "silu",
        ["max_position_embeddings"] = model.ContextLength,
        ["rms_norm_eps"] = model.NormEps,
        ["rope_theta"] = model.RopeTheta,
        ["rope_scaling"] = RopeScaling(model),
        ["attention_bias"] = false,
        ["attention_dropout"] = 0.0,
        ["mlp_bias"] = false,
        ["tie_word_embeddings"] = model.TieEmbeddings,
        ["bos_token_id"] = tokenizer.EndOfTextId,
        ["eos_token_id"] = tokenizer.EndOfTextId,
        ["pad_token_id"] = HfTokenizerFiles.PadId(tokenizer, model.VocabSize),
        ["initializer_range"] = 0.02,
        ["pretraining_tp"] = 1,
        ["use_cache"] = true,
        ["torch_dtype"] = "float32",
    };

    /// <summary>config.json's rope_scaling: null, linear, or llama3 with the keys Llama 3.1's own config.json has.</summary>
    private static JsonObject? RopeScaling(ModelConfig model)
    {
        if (model.RopeLlama3 is { } llama3)
            return new JsonObject
            {
                ["factor"] = Float(llama3.Factor),
                ["low_freq_factor"] = Float(llama3.LowFreqFactor),
                ["high_freq_factor"] = Float(llama3.HighFreqFactor),
                ["original_max_position_embeddings"] = llama3.OriginalContextLength,
                ["rope_type"] = "llama3",
            };
        // Position interpolation divides positions by the factor, as HF's "linear" type does; both spellings of the type
        // key, since transformers 4.x reads "type" in older releases and "rope_type" in newer ones.
        return model.RopeScale == 1.0 ? null : new JsonObject { ["type"] = "linear", ["rope_type"] = "linear", ["factor"] = model.RopeScale };
    }

    /// <summary>A JSON number that Python reads as a float (8.0, not 8): transformers warns when llama3's factors are ints.</summary>
    private static JsonNode Float(double value)
    {
        var text = value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        return JsonNode.Parse(text.Contains('.') || text.Contains('E') ? text : text + ".0")!;
    }

    /// <summary>generation_config.json: greedy by default; a chat reply ends at <c>&lt;|end|&gt;</c> as well as at end-of-text.</summary>
    public static JsonObject Generation(ChatTokenizer tokenizer, int vocabSize)
    {
        var eos = new JsonArray(tokenizer.EndOfTextId);
        var end = tokenizer.ChatTokens.GetValueOrDefault(SpecialTokens.End, -1);
        if (end >= 0 && end < vocabSize && end != tokenizer.EndOfTextId) eos.Add(end);
        return new JsonObject
        {
            ["bos_token_id"] = tokenizer.EndOfTextId,
            ["eos_token_id"] = eos,
            ["pad_token_id"] = HfTokenizerFiles.PadId(tokenizer, vocabSize),
            ["do_sample"] = false,
        };
    }

    /// <summary>Our config for an HF LLaMA config.json; <paramref name="source"/> names the file in errors.</summary>
    public static ModelConfig ToModel(JsonObject config, string source)
    {
        void Reject(string key, JsonNode? value, string why) =>
            throw new NotSupportedException($"{source}: {key} = {value?.ToJsonString() ?? "null"} is not supported ({why})");

        if (config["architectures"] is JsonArray architectures && (architectures.Count != 1 || architectures[0]?.GetValue<string>() != Architecture))
            Reject("architectures", architectures, $"only [\"{Architecture}\"] is");
        if (config["model_type"]?.GetValue<string>() != ModelType) Reject("model_type", config["model_type"], $"only \"{ModelType}\" is");
        if (config["quantization_config"] is { } quantization) Reject("quantization_config", quantization, "quantized weights; export the float checkpoint");
        if (config["hidden_act"] is { } act && act.GetValue<string>() != "silu") Reject("hidden_act", act, "our MLP is SwiGLU with silu");
        foreach (var key in new[] { "attention_bias", "mlp_bias" })
            if (config[key] is { } bias && bias.GetValue<bool>()) Reject(key, bias, "our linears have no bias");

        var dim = Int(config, "hidden_size", source);
        var heads = Int(config, "num_attention_heads", source);
        if (config["head_dim"] is { } headDim && headDim.GetValue<int>() * heads != dim)
            Reject("head_dim", headDim, $"only hidden_size / num_attention_heads = {dim / Math.Max(1, heads)} is");

        var (theta, scale, llama3) = Rope(config, source, Reject);
        var kvHeads = config["num_key_value_heads"]?.GetValue<int>() ?? heads;
        var model = new ModelConfig
        {
            VocabSize = Int(config, "vocab_size", source),
            Dim = dim,
            Layers = Int(config, "num_hidden_layers", source),
            Heads = heads,
            KvHeads = kvHeads == heads ? 0 : kvHeads, // our spelling of "one per query head", so a round trip gives the same file
            FfnHidden = Int(config, "intermediate_size", source),
            ContextLength = config["max_position_embeddings"]?.GetValue<int>() ?? 2048, // LlamaConfig's defaults where a key is absent
            NormEps = config["rms_norm_eps"]?.GetValue<double>() ?? 1e-6,
            RopeTheta = theta,
            RopeScale = scale,
            RopeLlama3 = llama3,
            TieEmbeddings = config["tie_word_embeddings"]?.GetValue<bool>() ?? false,
        };
        // 0 is our spelling of LLaMA's default width; keep it when the checkpoint has exactly that width.
        return (model.FfnHidden == (model with { FfnHidden = 0 }).Hidden ? model with { FfnHidden = 0 } : model).Validate();
    }

    /// <summary>
    /// Rotary base, linear factor and Llama 3 scaling from transformers 4.x keys (rope_theta, rope_scaling) or 5.x ones
    /// (rope_parameters).
    /// </summary>
    private static (double Theta, double Scale, Llama3RopeScaling? Llama3) Rope(JsonObject config, string source, Action<string, JsonNode?, string> reject)
    {
        var theta = config["rope_theta"]?.GetValue<double>() ?? 10_000;
        var scale = 1.0;
        Llama3RopeScaling? llama3 = null;
        foreach (var key in new[] { "rope_scaling", "rope_parameters" })
        {
            if (config[key] is not JsonObject rope) continue;
            var type = (rope["rope_type"] ?? rope["type"])?.GetValue<string>() ?? "default";
            if (type is not ("default" or "linear" or "llama3"))
                reject($"{key}.rope_type", JsonValue.Create(type), "only linear position interpolation and Llama 3's llama3 scaling are");
            if (rope["rope_theta"] is { } t) theta = t.GetValue<double>();
            if (type == "linear") scale = rope["factor"]?.GetValue<double>() ?? throw new InvalidDataException($"{source}: {key} is linear but has no factor");
            if (type == "llama3")
            {
                // All four are read, none defaulted: a guessed value would silently change every rotary frequency.
                string[] keys = ["factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"];
                var missing = keys.Where(k => rope[k] is null).ToArray();
                if (missing.Length > 0)
                    throw new InvalidDataException($"{source}: {key} is llama3 but has no {string.Join(", ", missing)} (it needs {string.Join(", ", keys)})");
                llama3 = new Llama3RopeScaling
                {
                    Factor = rope["factor"]!.GetValue<double>(),
                    LowFreqFactor = rope["low_freq_factor"]!.GetValue<double>(),
                    HighFreqFactor = rope["high_freq_factor"]!.GetValue<double>(),
                    OriginalContextLength = rope["original_max_position_embeddings"]!.GetValue<int>(),
                };
                try { llama3.Validate(); }
                catch (ArgumentException e) { throw new InvalidDataException($"{source}: {key} = {rope.ToJsonString()}: {e.Message}", e); }
            }
        }
        return (theta, scale, llama3);
    }

    private static int Int(JsonObject config, string key, string source) =>
        config[key] is { } value ? value.GetValue<int>() : throw new InvalidDataException($"{source}: key '{key}' is missing");
}
