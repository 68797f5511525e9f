using System.Text.Json.Nodes;
using DataFlow.Trainer.Interop;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>
/// The exported names against Hugging Face's own source, written here as it reads, never derived from our exporter:
/// transformers src/transformers/models/llama/modeling_llama.py (LlamaForCausalLM: self.model = LlamaModel(config),
/// self.lm_head = nn.Linear(...); LlamaModel: self.embed_tokens, self.layers, self.norm; LlamaDecoderLayer: self.self_attn,
/// self.mlp, self.input_layernorm, self.post_attention_layernorm; LlamaAttention: self.q_proj, self.k_proj, self.v_proj,
/// self.o_proj; LlamaMLP: self.gate_proj, self.up_proj, self.down_proj with down_proj(act_fn(gate_proj(x)) * up_proj(x)))
/// and configuration_llama.py (LlamaConfig's fields; model_type = "llama").
/// </summary>
public class HfNamingTests
{
    /// <summary>PyTorch's state_dict names of LlamaForCausalLM: attribute paths joined by dots, ".weight" for each parameter.</summary>
    private static List<string> ModelingLlamaStateDict(int layers, bool tied)
    {
        var names = new List<string> { "model" + "." + "embed_tokens" + ".weight" };
        for (var i = 0; i < layers; i++)
        {
            foreach (var projection in new[] { "q_proj", "k_proj", "v_proj", "o_proj" }) names.Add($"model.layers.{i}.self_attn.{projection}.weight");
            foreach (var projection in new[] { "gate_proj", "up_proj", "down_proj" }) names.Add($"model.layers.{i}.mlp.{projection}.weight");
            names.Add($"model.layers.{i}.input_layernorm.weight");
            names.Add($"model.layers.{i}.post_attention_layernorm.weight");
        }
        names.Add("model.norm.weight");
        // LlamaForCausalLM._tied_weights_keys = ["lm_head.weight"]: a tied checkpoint does not store it.
        if (!tied) names.Add("lm_head.weight");
        return names;
    }

    /// <summary>LlamaConfig's fields in configuration_llama.py (transformers 5.x), plus rope_theta / rope_scaling that 4.x's LlamaConfig has and its modeling file reads (config.rope_scaling["type"], ["factor"]).</summary>
    private static readonly string[] LlamaConfigFields =
    [
        "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "hidden_act",
        "max_position_embeddings", "initializer_range", "rms_norm_eps", "use_cache", "pad_token_id", "bos_token_id", "eos_token_id",
        "pretraining_tp", "tie_word_embeddings", "rope_parameters", "attention_bias", "attention_dropout", "mlp_bias", "head_dim",
        "rope_theta", "rope_scaling",
    ];

    /// <summary>PretrainedConfig's own keys that every config.json carries.</summary>
    private static readonly string[] PretrainedConfigKeys = ["architectures", "model_type", "torch_dtype"];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Exported_tensor_names_are_modeling_llama_state_dict_names(bool tied)
    {
        var (folder, config) = HfFixtures.ModelFolder("hf-names", TinyModels.Config() with { TieEmbeddings = tied });
        var hf = Path.Combine(Path.GetDirectoryName(folder)!, "hf");
        HfExport.Run(folder, hf);
        var file = SafetensorsFile.Open(Path.Combine(hf, HfExport.WeightsFile));
        Assert.Equal(ModelingLlamaStateDict(config.Layers, tied).Order(StringComparer.Ordinal), file.Entries.Keys.Order(StringComparer.Ordinal));
        // nn.Linear(in, out).weight is [out, in]; nn.Embedding(vocab, hidden).weight is [vocab, hidden].
        Assert.Equal([config.VocabSize, 32L], file.Entries["model.embed_tokens.weight"].Shape);
        Assert.Equal([config.Hidden, 32L], file.Entries["model.layers.0.mlp.gate_proj.weight"].Shape);
        Assert.Equal([32L, config.Hidden], file.Entries["model.layers.0.mlp.down_proj.weight"].Shape);
        Assert.All(file.Entries.Values, e => Assert.Equal("F32", e.DType));
    }

    [Fact]
    public void Config_json_keys_are_llama_config_fields_with_its_values()
    {
        var (folder, config) = HfFixtures.ModelFolder("hf-config", TinyModels.Config(kvHeads: 2));
        var hf = Path.Combine(Path.GetDirectoryName(folder)!, "hf");
        HfExport.Run(folder, hf);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(hf, HfExport.ConfigFile)))!.AsObject();
        foreach (var (key, _) in json) Assert.True(LlamaConfigFields.Contains(key) || PretrainedConfigKeys.Contains(key), $"config.json key '{key}' is not a LlamaConfig field");
        Assert.Equal("llama", json["model_type"]!.GetValue<string>());
        Assert.Equal(["LlamaForCausalLM"], json["architectures"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal("silu", json["hidden_act"]!.GetValue<string>());
        Assert.Equal(config.Dim / config.Heads, json["head_dim"]!.GetValue<int>()); // LlamaConfig: hidden_size // num_attention_heads
        Assert.Equal(config.Hidden, json["intermediate_size"]!.GetValue<int>());
        Assert.Equal(2, json["num_key_value_heads"]!.GetValue<int>());
        Assert.False(json["attention_bias"]!.GetValue<bool>());
        Assert.False(json["mlp_bias"]!.GetValue<bool>());
        Assert.Equal("float32", json["torch_dtype"]!.GetValue<string>());
        foreach (var key in new[] { "bos_token_id", "eos_token_id", "pad_token_id" }) Assert.InRange(json[key]!.GetValue<int>(), 0, config.VocabSize - 1);

        var generation = JsonNode.Parse(File.ReadAllText(Path.Combine(hf, HfExport.GenerationConfigFile)))!;
        Assert.Contains(json["eos_token_id"]!.GetValue<int>(), generation["eos_token_id"]!.AsArray().Select(e => e!.GetValue<int>()));
        var tokenizerConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(hf, HfTokenizerFiles.ConfigFile)))!;
        Assert.Equal("PreTrainedTokenizerFast", tokenizerConfig["tokenizer_class"]!.GetValue<string>());
        Assert.Equal(config.ContextLength, tokenizerConfig["model_max_length"]!.GetValue<int>());
        Assert.True(File.Exists(Path.Combine(hf, HfTokenizerFiles.SpecialTokensFile)));
    }
}
