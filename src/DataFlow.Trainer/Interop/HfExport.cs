using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataFlow.Trainer.Lora;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Interop;

/// <summary>
/// <c>dataflow export hf</c>: a model folder -> a <c>LlamaForCausalLM</c> folder (config.json, generation_config.json,
/// safetensors weights under HF names, sharded with an index above the size limit, tokenizer files); an adapter folder
/// (a LoRA run's output) -> a PEFT adapter (<see cref="PeftAdapterExport"/>).
/// </summary>
public static class HfExport
{
    public const string ConfigFile = "config.json";
    public const string GenerationConfigFile = "generation_config.json";
    public const string WeightsFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>Exports <paramref name="modelDir"/> into <paramref name="outDir"/> and returns the files written.</summary>
    public static IReadOnlyList<string> Run(string modelDir, string outDir, HfExportOptions? options = null)
    {
        options = (options ?? new HfExportOptions()).Validate();
        if (File.Exists(Path.Combine(modelDir, LoraAdapters.ConfigFile))) return PeftAdapterExport.Run(modelDir, outDir, options);
        if (!File.Exists(Path.Combine(modelDir, ModelWeights.ConfigFile)))
            throw new FileNotFoundException($"{modelDir}: neither a model folder ({ModelWeights.ConfigFile}) nor an adapter folder ({LoraAdapters.ConfigFile})" +
                (Directory.Exists(Path.Combine(modelDir, SftTrainer.FinalDir)) ? $"; a training run's model is in {Path.Combine(modelDir, SftTrainer.FinalDir)}" : ""));
        var tokenizer = ModelTokenizer.Load(modelDir);
        using var model = ModelWeights.LoadTransformer(modelDir);
        var config = model.Config;
        ModelTokenizer.Check(config, $"model {modelDir}", tokenizer, "its tokenizer", allowGrowth: true);
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        HfTokenizerFiles.Export(modelDir, config, tokenizer, outDir); // first: a folder without tokenizer.json stops here
        written.AddRange([HfTokenizerFiles.TokenizerFile, HfTokenizerFiles.ConfigFile, HfTokenizerFiles.SpecialTokensFile]);
        Write(outDir, ConfigFile, HfLlamaConfig.FromModel(config, tokenizer), written);
        Write(outDir, GenerationConfigFile, HfLlamaConfig.Generation(tokenizer, config.VocabSize), written);
        var tensors = model.state_dict().Select(p => (Name: HfTensorNames.ToHf(p.Key), Tensor: p.Value)).ToList();
        written.AddRange(WriteWeights(outDir, tensors, options.MaxShardBytes));
        return written;
    }

    /// <summary>
    /// One model.safetensors, or (total above <paramref name="maxShardBytes"/>) shards filled in order up to the limit, a
    /// tensor larger than the limit alone in its shard (as transformers' save_pretrained does), plus the index.
    /// </summary>
    private static List<string> WriteWeights(string outDir, IReadOnlyList<(string Name, Tensor Tensor)> tensors, long maxShardBytes)
    {
        foreach (var stale in Directory.EnumerateFiles(outDir, "model*.safetensors*")) File.Delete(stale);
        var total = tensors.Sum(t => SafetensorsFile.Float32Bytes(t.Tensor.numel()));
        if (total <= maxShardBytes)
        {
            SafetensorsFile.Write(Path.Combine(outDir, WeightsFile), tensors);
            return [WeightsFile];
        }
        var shards = new List<List<(string Name, Tensor Tensor)>> { new() };
        long size = 0;
        foreach (var tensor in tensors)
        {
            var bytes = SafetensorsFile.Float32Bytes(tensor.Tensor.numel());
            if (shards[^1].Count > 0 && size + bytes > maxShardBytes)
            {
                shards.Add([]);
                size = 0;
            }
            shards[^1].Add(tensor);
            size += bytes;
        }
        var weightMap = new JsonObject();
        var files = new List<string>();
        for (var k = 0; k < shards.Count; k++)
        {
            var file = $"model-{k + 1:D5}-of-{shards.Count:D5}.safetensors";
            SafetensorsFile.Write(Path.Combine(outDir, file), shards[k]);
            foreach (var (name, _) in shards[k]) weightMap[name] = file;
            files.Add(file);
        }
        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = total }, ["weight_map"] = weightMap };
        Write(outDir, IndexFile, index, files);
        return files;
    }

    /// <summary>Indented, with non-ASCII and &lt; &gt; written as they are (tokens and the chat template stay readable; the default escapes them).</summary>
    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static void Write(string outDir, string file, JsonNode json, List<string> written)
    {
        File.WriteAllText(Path.Combine(outDir, file), json.ToJsonString(Json) + "\n");
        written.Add(file);
    }
}
