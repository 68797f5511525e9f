using System.Text.Json.Nodes;
using DataFlow.Trainer.Interop;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>What our transformer does not compute stops the import with the key and value (or the tensor) named.</summary>
public class HfImportRejectionTests
{
    private static string ExportedFolder(string name)
    {
        var (folder, _) = HfFixtures.ModelFolder(name, TinyModels.Config());
        var hf = Path.Combine(Path.GetDirectoryName(folder)!, "hf");
        HfExport.Run(folder, hf);
        return hf;
    }

    private static Exception ImportWithConfig(string key, string valueJson)
    {
        var hf = ExportedFolder("hf-reject");
        var path = Path.Combine(hf, HfExport.ConfigFile);
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        config[key] = JsonNode.Parse(valueJson);
        File.WriteAllText(path, config.ToJsonString());
        var back = Path.Combine(Path.GetDirectoryName(hf)!, "back");
        var error = Assert.ThrowsAny<Exception>(() => HfImport.Run(hf, back));
        Assert.False(Directory.Exists(back));
        return error;
    }

    [Theory]
    [InlineData("architectures", "[\"MistralForCausalLM\"]", "MistralForCausalLM")]
    [InlineData("model_type", "\"mistral\"", "\"mistral\"")]
    [InlineData("attention_bias", "true", "attention_bias = true")]
    [InlineData("mlp_bias", "true", "mlp_bias = true")]
    [InlineData("hidden_act", "\"gelu\"", "hidden_act = \"gelu\"")]
    [InlineData("rope_scaling", "{\"type\": \"dynamic\", \"factor\": 2.0}", "rope_scaling.rope_type = \"dynamic\"")]
    [InlineData("rope_scaling", "{\"rope_type\": \"yarn\", \"factor\": 4.0}", "rope_scaling.rope_type = \"yarn\"")]
    [InlineData("quantization_config", "{\"quant_method\": \"gptq\", \"bits\": 4}", "quantization_config = {\"quant_method\":\"gptq\"")]
    [InlineData("head_dim", "16", "head_dim = 16")]
    public void Unsupported_config_values_are_named(string key, string valueJson, string expected)
    {
        var error = ImportWithConfig(key, valueJson);
        Assert.IsType<NotSupportedException>(error);
        Assert.Contains(key.Split('.')[0], error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Contains(HfExport.ConfigFile, error.Message);
    }

    [Theory]
    [InlineData("{\"rope_type\": \"llama3\", \"factor\": 8.0}", "rope_scaling is llama3 but has no low_freq_factor, high_freq_factor, original_max_position_embeddings")]
    [InlineData("{\"type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0}", "has no original_max_position_embeddings")]
    [InlineData("{\"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 4.0, \"high_freq_factor\": 1.0, \"original_max_position_embeddings\": 8192}",
        "high_freq_factor (1) must be greater than low_freq_factor (4)")]
    [InlineData("{\"rope_type\": \"llama3\", \"factor\": 0.5, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 8192}",
        "factor must be >= 1")]
    public void Incomplete_or_invalid_llama3_rope_scaling_is_named(string valueJson, string expected)
    {
        var error = ImportWithConfig("rope_scaling", valueJson);
        Assert.IsType<InvalidDataException>(error);
        Assert.Contains(expected, error.Message);
        Assert.Contains(HfExport.ConfigFile, error.Message);
    }

    [Fact]
    public void Unknown_and_missing_tensors_are_named()
    {
        var hf = ExportedFolder("hf-tensors");
        var path = Path.Combine(hf, HfExport.WeightsFile);
        var file = SafetensorsFile.Open(path);
        var tensors = file.Entries.Keys.Where(n => n != "model.layers.1.mlp.up_proj.weight").Select(n => (n, file.ReadFloat32(n))).ToList();
        tensors.Add(("model.layers.0.self_attn.q_proj.bias", TorchSharp.torch.zeros(32)));
        SafetensorsFile.Write(path, tensors);
        var error = Assert.Throws<InvalidDataException>(() => HfImport.Run(hf, Path.Combine(Path.GetDirectoryName(hf)!, "back")));
        Assert.Contains("model.layers.0.self_attn.q_proj.bias", error.Message);
        Assert.Contains("missing: model.layers.1.mlp.up_proj.weight", error.Message);
    }

    [Fact]
    public void A_sentencepiece_tokenizer_is_refused_naming_the_file_and_the_part()
    {
        var hf = ExportedFolder("hf-spm");
        // The shape of LLaMA 2's tokenizer.json: a Metaspace pre-tokenizer (and a normalizer that prepends "▁").
        var json = """
            {"version": "1.0", "added_tokens": [], "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}]},
             "pre_tokenizer": {"type": "Metaspace", "replacement": "▁"}, "decoder": null,
             "model": {"type": "BPE", "byte_fallback": true, "vocab": {"<unk>": 0, "▁a": 1}, "merges": []}}
            """;
        File.WriteAllText(Path.Combine(hf, "tokenizer.json"), json);
        var error = Assert.Throws<NotSupportedException>(() => HfImport.Run(hf, Path.Combine(Path.GetDirectoryName(hf)!, "back")));
        Assert.Contains(Path.Combine(hf, "tokenizer.json"), error.Message);
        Assert.Contains("normalizer 'Sequence'", error.Message);
        Assert.Contains("SentencePiece", error.Message);

        File.WriteAllText(Path.Combine(hf, "tokenizer.json"), json.Replace("{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Prepend\", \"prepend\": \"▁\"}]}", "null"));
        error = Assert.Throws<NotSupportedException>(() => HfImport.Run(hf, Path.Combine(Path.GetDirectoryName(hf)!, "back")));
        Assert.Contains("pre-tokenizer 'Metaspace'", error.Message);
    }

    [Fact]
    public void A_tokenizer_lacking_its_declared_end_of_text_is_refused_naming_the_files()
    {
        var hf = ExportedFolder("hf-no-eot");
        var path = Path.Combine(hf, "tokenizer.json");
        // tokenizer_config.json still declares eos_token <|endoftext|>, which the vocabulary no longer has.
        File.WriteAllText(path, File.ReadAllText(path).Replace("<|endoftext|>", "<|end_of_text|>"));
        var error = Assert.Throws<NotSupportedException>(() => HfImport.Run(hf, Path.Combine(Path.GetDirectoryName(hf)!, "back")));
        Assert.Contains(path, error.Message);
        Assert.Contains(Path.Combine(hf, "tokenizer_config.json"), error.Message);
        Assert.Contains("eos_token '<|endoftext|>'", error.Message);
    }

    [Fact]
    public void Export_of_a_folder_without_tokenizer_json_names_the_folder()
    {
        // Folders written before every model folder carried tokenizer.json (known vocabularies were recorded by name only).
        using var model = TinyModels.Build(TinyModels.Config() with { VocabSize = 262 });
        var folder = Path.Combine(TinyModels.TempDir("hf-no-tokjson"), "model");
        DataFlow.Trainer.Sft.ModelWeights.Save(model, model.Config, folder, DataFlow.Text.Chat.ChatTokenizer.Load("bytes"));
        File.Delete(Path.Combine(folder, "tokenizer.json"));
        var error = Assert.Throws<InvalidDataException>(() => HfExport.Run(folder, Path.Combine(Path.GetDirectoryName(folder)!, "hf")));
        Assert.Contains(folder, error.Message);
        Assert.Contains("tokenizer.json", error.Message);
    }
}
