using System.Text.Json;
using System.Text.Json.Nodes;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using static TorchSharp.torch;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Trainer.Interop;

/// <summary>
/// <c>dataflow import hf</c>: a LLaMA-family Hugging Face folder (config.json, model.safetensors or shards with
/// model.safetensors.index.json, F32 / F16 / BF16, tied or untied head, GQA, linear rope scaling, byte-level BPE
/// tokenizer.json) -> a DataFlow model folder. Weights are float32; anything our transformer does not compute is refused
/// by name before a byte of weights is read.
/// </summary>
public static class HfImport
{
    public static ModelConfig Run(string hfDir, string outDir)
    {
        var configPath = Path.Combine(hfDir, HfExport.ConfigFile);
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{hfDir}: no {HfExport.ConfigFile}: not a Hugging Face model folder", configPath);
        var json = JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject ?? throw new InvalidDataException($"{configPath}: not a JSON object");
        var config = HfLlamaConfig.ToModel(json, configPath);
        var files = WeightFiles(hfDir);
        var located = Locate(files, config, hfDir);

        var temp = outDir.TrimEnd('/') + ".tmp";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        var tokenizer = HfTokenizerFiles.Import(hfDir, temp);
        ModelTokenizer.Check(config, $"{configPath} (vocab_size)", tokenizer, $"{hfDir}/{HfTokenizerFiles.TokenizerFile}", allowGrowth: true);
        using (var model = new Transformer(config))
        {
            using (no_grad())
            {
                foreach (var (name, parameter) in model.state_dict())
                {
                    var (file, hfName) = located[name];
                    using var value = file.ReadFloat32(hfName);
                    if (!value.shape.SequenceEqual(parameter.shape))
                        throw new InvalidDataException($"{file.Path}: tensor '{hfName}' has shape [{string.Join(", ", value.shape)}], config.json implies [{string.Join(", ", parameter.shape)}]");
                    parameter.copy_(value);
                }
            }
            ModelWeights.Save(model, config, temp, tokenizer: null);
        }
        ModelTokenizer.Save(temp, tokenizer);
        if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        Directory.Move(temp, outDir);
        return config;
    }

    /// <summary>model.safetensors, or the shards model.safetensors.index.json lists.</summary>
    private static List<SafetensorsFile> WeightFiles(string hfDir)
    {
        var index = Path.Combine(hfDir, HfExport.IndexFile);
        if (File.Exists(index))
        {
            var map = (JsonNode.Parse(File.ReadAllText(index))?["weight_map"] as JsonObject) ?? throw new InvalidDataException($"{index}: no weight_map");
            return map.Select(p => p.Value!.GetValue<string>()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(f => SafetensorsFile.Open(Path.Combine(hfDir, f))).ToList();
        }
        var single = Path.Combine(hfDir, HfExport.WeightsFile);
        if (File.Exists(single)) return [SafetensorsFile.Open(single)];
        var other = Directory.EnumerateFiles(hfDir, "*.bin").Concat(Directory.EnumerateFiles(hfDir, "*.pth")).FirstOrDefault();
        throw new FileNotFoundException(other is null
            ? $"{hfDir}: no {HfExport.WeightsFile} and no {HfExport.IndexFile}"
            : $"{hfDir}: weights only as {Path.GetFileName(other)} (pickle); only safetensors are imported (convert with transformers' save_pretrained(safe_serialization=True))");
    }

    /// <summary>Where each of our tensors is (file, HF name); throws naming every HF tensor we do not know and every one missing.</summary>
    private static Dictionary<string, (SafetensorsFile File, string HfName)> Locate(List<SafetensorsFile> files, ModelConfig config, string hfDir)
    {
        var located = new Dictionary<string, (SafetensorsFile, string)>(StringComparer.Ordinal);
        var unknown = new List<string>();
        foreach (var file in files)
            foreach (var hfName in file.Entries.Keys)
            {
                // Rotary inverse frequencies are derived from the config; some old checkpoints saved them.
                if (hfName.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal)) continue;
                if (HfTensorNames.FromHf(hfName) is { } ours) located[ours] = (file, hfName);
                else unknown.Add(hfName);
            }
        if (config.TieEmbeddings) located.Remove("output.weight"); // a tied checkpoint may still store lm_head = embed_tokens
        var expected = HfTensorNames.OurNames(config).ToHashSet(StringComparer.Ordinal);
        var missing = expected.Where(n => !located.ContainsKey(n)).Select(HfTensorNames.ToHf).ToList();
        unknown.AddRange(located.Keys.Where(n => !expected.Contains(n)).Select(n => located[n].Item2));
        var problems = new List<string>();
        if (unknown.Count > 0) problems.Add($"tensors a LLaMA of this config.json does not have: {string.Join(", ", unknown.Order(StringComparer.Ordinal))}");
        if (missing.Count > 0) problems.Add($"tensors missing: {string.Join(", ", missing)}");
        if (problems.Count > 0) throw new InvalidDataException($"{hfDir}: {string.Join("; ", problems)}");
        return located;
    }
}
