using System.Text.Json.Nodes;
using DataFlow.Jobs.Training.Pretrain;
using DataFlow.Trainer.Generation;
using DataFlow.Trainer.Interop;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests.Interop;

public class HfRoundTripTests
{
    /// <summary>Same shape and every element bit-equal.</summary>
    internal static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>Export -> import, then the same tensors bit for bit and the same greedy continuations.</summary>
    private static (ModelConfig Imported, string HfDir) AssertRoundTrip(string name, ModelConfig sizes, HfExportOptions? options = null)
    {
        var (folder, config) = HfFixtures.ModelFolder(name, sizes);
        var hf = Path.Combine(Path.GetDirectoryName(folder)!, "hf");
        var back = Path.Combine(Path.GetDirectoryName(folder)!, "back");
        HfExport.Run(folder, hf, options);
        var imported = HfImport.Run(hf, back);
        Assert.Equal(config, imported);

        using var original = ModelWeights.LoadTransformer(folder);
        using var reloaded = ModelWeights.LoadTransformer(back);
        var a = original.state_dict();
        var b = reloaded.state_dict();
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (key, tensor) in a) Assert.True(Same(tensor, b[key]), $"{key} differs after the round trip");

        int[][] prompts = [[1, 2, 3], [7, 7, 9, 11, 4], [5]];
        var options1 = new GenerationOptions { Temperature = 0, MaxNewTokens = 12 };
        var before = new TextGenerator(original).Generate(prompts, options1);
        var after = new TextGenerator(reloaded).Generate(prompts, options1);
        for (var i = 0; i < prompts.Length; i++) Assert.Equal(before[i].Tokens, after[i].Tokens);

        Assert.Equal(ModelTokenizer.Load(folder).ChatTokens, ModelTokenizer.Load(back).ChatTokens);
        // What a user compares: `dataflow generate --checkpoint DIR -t 0` on both folders.
        var greedy = new GenerationOptions { Temperature = 0, MaxNewTokens = 16 };
        string[] texts = ["The license", "机器学习", ""];
        Assert.Equal(GenerateRun.Execute(folder, texts, greedy), GenerateRun.Execute(back, texts, greedy));
        return (imported, hf);
    }

    [Fact]
    public void Tied_model_round_trips_bit_identical_with_identical_greedy_generations()
    {
        var (imported, hf) = AssertRoundTrip("hf-tied", TinyModels.Config());
        Assert.True(imported.TieEmbeddings);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(hf, HfExport.ConfigFile)))!;
        Assert.True(config["tie_word_embeddings"]!.GetValue<bool>());
        Assert.Null(config["rope_scaling"]);
        Assert.DoesNotContain("lm_head.weight", SafetensorsFile.Open(Path.Combine(hf, HfExport.WeightsFile)).Entries.Keys);
    }

    [Fact]
    public void Untied_head_round_trips_and_exports_lm_head()
    {
        var (imported, hf) = AssertRoundTrip("hf-untied", TinyModels.Config() with { TieEmbeddings = false });
        Assert.False(imported.TieEmbeddings);
        var file = SafetensorsFile.Open(Path.Combine(hf, HfExport.WeightsFile));
        Assert.Contains("lm_head.weight", file.Entries.Keys);
        Assert.False(JsonNode.Parse(File.ReadAllText(Path.Combine(hf, HfExport.ConfigFile)))!["tie_word_embeddings"]!.GetValue<bool>());
    }

    [Fact]
    public void Gqa_and_linear_rope_scaling_round_trip()
    {
        var (imported, hf) = AssertRoundTrip("hf-gqa", TinyModels.Config(kvHeads: 2) with { RopeScale = 2.0, RopeTheta = 500_000 });
        Assert.Equal(2, imported.KvHeadCount);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(hf, HfExport.ConfigFile)))!;
        Assert.Equal(2, config["num_key_value_heads"]!.GetValue<int>());
        Assert.Equal("linear", config["rope_scaling"]!["type"]!.GetValue<string>());
        Assert.Equal("linear", config["rope_scaling"]!["rope_type"]!.GetValue<string>());
        Assert.Equal(2.0, config["rope_scaling"]!["factor"]!.GetValue<double>());
        Assert.Equal([16L, 32L], SafetensorsFile.Open(Path.Combine(hf, HfExport.WeightsFile)).Entries["model.layers.0.self_attn.k_proj.weight"].Shape);
    }

    [Fact]
    public void Llama3_rope_scaling_round_trips_with_the_keys_llama_3_1_writes()
    {
        var llama3 = new Llama3RopeScaling { Factor = 4, LowFreqFactor = 1, HighFreqFactor = 4, OriginalContextLength = 32 };
        var (imported, hf) = AssertRoundTrip("hf-llama3-rope",
            TinyModels.Config(kvHeads: 1) with { Heads = 2, TieEmbeddings = false, ContextLength = 128, RopeTheta = 10_000, RopeLlama3 = llama3 });
        Assert.Equal(llama3, imported.RopeLlama3);
        Assert.Equal(1.0, imported.RopeScale);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(hf, HfExport.ConfigFile)))!;
        var rope = config["rope_scaling"]!.AsObject();
        Assert.Equal(["factor", "high_freq_factor", "low_freq_factor", "original_max_position_embeddings", "rope_type"], rope.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("llama3", rope["rope_type"]!.GetValue<string>());
        // Floats as Python reads them (transformers warns when llama3's factors are ints), the context length an int.
        Assert.Equal("4.0", rope["factor"]!.ToJsonString());
        Assert.Equal("1.0", rope["low_freq_factor"]!.ToJsonString());
        Assert.Equal("4.0", rope["high_freq_factor"]!.ToJsonString());
        Assert.Equal("32", rope["original_max_position_embeddings"]!.ToJsonString());
        Assert.Equal(128, config["max_position_embeddings"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(8.0, "rope_scaling")]     // Llama 3.1
    [InlineData(32.0, "rope_scaling")]    // Llama 3.2
    [InlineData(8.0, "rope_parameters")]  // transformers 5's spelling, rope_theta inside
    public void Llama_3_1_and_3_2_rope_scaling_import_as_published(double factor, string key)
    {
        var (folder, _) = HfFixtures.ModelFolder("hf-llama31-rope", TinyModels.Config(kvHeads: 2) with { TieEmbeddings = false });
        var hf = Path.Combine(Path.GetDirectoryName(folder)!, "hf");
        HfExport.Run(folder, hf);
        var path = Path.Combine(hf, HfExport.ConfigFile);
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        // As in meta-llama/Llama-3.1-8B's (and, with factor 32, Llama-3.2-1B's) config.json.
        config["max_position_embeddings"] = 131072;
        config["rope_scaling"] = null;
        config[key] = JsonNode.Parse($$"""
            {"factor": {{factor.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)}}, "high_freq_factor": 4.0, "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"}
            """);
        if (key == "rope_parameters") { config.Remove("rope_theta"); config[key]!["rope_theta"] = 500000.0; }
        else config["rope_theta"] = 500000.0;
        File.WriteAllText(path, config.ToJsonString());
        var imported = HfImport.Run(hf, Path.Combine(Path.GetDirectoryName(folder)!, "back"));
        Assert.Equal(new Llama3RopeScaling { Factor = factor, LowFreqFactor = 1, HighFreqFactor = 4, OriginalContextLength = 8192 }, imported.RopeLlama3);
        Assert.Equal(500_000, imported.RopeTheta);
        Assert.Equal(131_072, imported.ContextLength);
        Assert.Equal(1.0, imported.RopeScale);
    }

    [Fact]
    public void Sharded_export_writes_an_index_and_round_trips()
    {
        var (_, hf) = AssertRoundTrip("hf-sharded", TinyModels.Config(), new HfExportOptions { MaxShardBytes = HfExportOptions.ParseSize("20KB") });
        Assert.False(File.Exists(Path.Combine(hf, HfExport.WeightsFile)));
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(hf, HfExport.IndexFile)))!;
        var map = index["weight_map"]!.AsObject();
        var shards = map.Select(p => p.Value!.GetValue<string>()).Distinct().Order().ToList();
        Assert.True(shards.Count > 2, $"expected several shards, got {shards.Count}");
        Assert.Equal($"model-00001-of-{shards.Count:D5}.safetensors", shards[0]);
        long total = 0;
        foreach (var shard in shards)
        {
            var file = SafetensorsFile.Open(Path.Combine(hf, shard));
            foreach (var (name, entry) in file.Entries)
            {
                Assert.Equal(shard, map[name]!.GetValue<string>());
                total += entry.End - entry.Begin;
            }
        }
        Assert.Equal(total, index["metadata"]!["total_size"]!.GetValue<long>());
        Assert.Equal(map.Count, shards.Sum(s => SafetensorsFile.Open(Path.Combine(hf, s)).Entries.Count));
    }

    [Theory]
    [InlineData("5GB", 5_000_000_000L)]
    [InlineData("500MB", 500_000_000L)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("1234", 1234L)]
    public void Shard_sizes_parse_as_transformers_writes_them(string text, long bytes) => Assert.Equal(bytes, HfExportOptions.ParseSize(text));

    [Fact]
    public void Bf16_and_f16_checkpoints_import_as_float32()
    {
        var (folder, _) = HfFixtures.ModelFolder("hf-half", TinyModels.Config());
        var hf = Path.Combine(Path.GetDirectoryName(folder)!, "hf");
        HfExport.Run(folder, hf);
        var path = Path.Combine(hf, HfExport.WeightsFile);
        var f32 = SafetensorsFile.Open(path);
        var names = f32.Entries.Keys.Order(StringComparer.Ordinal).ToList();
        var values = names.ToDictionary(n => n, n => f32.ReadFloat32(n));
        // Half of the tensors BF16, half F16, in a file written by hand as the format specifies.
        HalfPrecisionFile.Write(path, names.Select((n, i) => (n, values[n], i % 2 == 0 ? "BF16" : "F16")).ToList());
        var back = Path.Combine(Path.GetDirectoryName(folder)!, "back");
        HfImport.Run(hf, back);
        using var model = ModelWeights.LoadTransformer(back);
        var state = model.state_dict();
        for (var i = 0; i < names.Count; i++)
        {
            var ours = HfTensorNames.FromHf(names[i])!;
            var expected = i % 2 == 0 ? values[names[i]].to(ScalarType.BFloat16).to(ScalarType.Float32) : values[names[i]].to(ScalarType.Float16).to(ScalarType.Float32);
            Assert.True(Same(state[ours], expected), $"{names[i]} is not the exact widening of its {(i % 2 == 0 ? "BF16" : "F16")} value");
        }
    }

    [Fact]
    public void Untied_head_counts_its_parameters_and_grows_with_the_vocabulary()
    {
        var tied = TinyModels.Config();
        var untied = tied with { TieEmbeddings = false };
        Assert.Equal(tied.ParameterCount + 17L * 32, untied.ParameterCount);
        using var model = TinyModels.Build(untied);
        Assert.Equal(untied.ParameterCount, model.parameters().Sum(p => p.numel()));
        using var grown = ModelTokenizer.GrowVocabulary(model, 20);
        using var scope = NewDisposeScope();
        var head = grown.output!.weight!;
        Assert.True(Same(head.narrow(0, 0, 17), model.output!.weight!));
        for (var i = 17; i < 20; i++) Assert.True(head[i].allclose(model.output.weight!.mean([0]), rtol: 0, atol: 1e-6));
        var tokens = tensor(new long[] { 1, 5, 9, 3 }).view(1, 4);
        Assert.True(grown.forward(tokens).narrow(2, 0, 17).allclose(model.forward(tokens), rtol: 0, atol: 1e-5));
    }
}
