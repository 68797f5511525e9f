using System.Text.Json.Nodes;
using DataFlow.Trainer.Interop;
using DataFlow.Trainer.Lora;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests.Interop;

public class PeftExportTests
{
    [Fact]
    public void Adapter_folder_exports_as_peft_and_base_plus_adapter_equals_lora_merge()
    {
        var (baseDir, _) = HfFixtures.ModelFolder("hf-peft", TinyModels.Config(kvHeads: 2));
        var root = Path.GetDirectoryName(baseDir)!;
        var adapterDir = Path.Combine(root, "adapter");
        using (var model = ModelWeights.LoadTransformer(baseDir))
        using (var adapters = LoraAdapters.Attach(model, new LoraConfig { Rank = 4, Alpha = 8, Targets = ["wq", "wv", "w1", "w2"] }))
        {
            manual_seed(3);
            using (no_grad()) foreach (var adapter in adapters.Adapters.Values) adapter.lora_B.normal_(0, 0.1); // B starts at zero: make the adapter matter
            adapters.Save(adapterDir);
            ModelTokenizer.Save(adapterDir, ModelTokenizer.Load(baseDir));
            File.WriteAllText(Path.Combine(adapterDir, PeftAdapterExport.BaseModelFile), baseDir + "\n");
        }

        var peftDir = Path.Combine(root, "peft");
        HfExport.Run(adapterDir, peftDir, new HfExportOptions { BaseModel = "someone/tiny-llama" });
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(peftDir, "adapter_config.json")))!;
        Assert.Equal("LORA", config["peft_type"]!.GetValue<string>());
        Assert.Equal("CAUSAL_LM", config["task_type"]!.GetValue<string>());
        Assert.Equal("someone/tiny-llama", config["base_model_name_or_path"]!.GetValue<string>());
        Assert.Equal(4, config["r"]!.GetValue<int>());
        Assert.Equal(8.0, config["lora_alpha"]!.GetValue<double>());
        Assert.Equal("none", config["bias"]!.GetValue<string>());
        Assert.False(config["fan_in_fan_out"]!.GetValue<bool>());
        Assert.Equal(["q_proj", "v_proj", "gate_proj", "down_proj"], config["target_modules"]!.AsArray().Select(t => t!.GetValue<string>()));

        // The merged model two ways: ours (lora merge), and HF base + PEFT's W + (alpha / r) B A under HF names.
        var hfBase = Path.Combine(root, "hf-base");
        HfExport.Run(baseDir, hfBase);
        var merged = Path.Combine(root, "merged");
        LoraMerge.Run(baseDir, adapterDir, merged);
        var hfMerged = Path.Combine(root, "hf-merged");
        HfExport.Run(merged, hfMerged);
        var baseFile = SafetensorsFile.Open(Path.Combine(hfBase, HfExport.WeightsFile));
        var mergedFile = SafetensorsFile.Open(Path.Combine(hfMerged, HfExport.WeightsFile));
        var adapterFile = SafetensorsFile.Open(Path.Combine(peftDir, "adapter_model.safetensors"));
        Assert.Equal(2 * 4 * 2, adapterFile.Entries.Count); // 2 layers x 4 targets x (A, B)
        var adapted = 0;
        foreach (var name in baseFile.Entries.Keys)
        {
            using var scope = NewDisposeScope();
            var module = name[..^".weight".Length];
            var expected = baseFile.ReadFloat32(name);
            var a = $"base_model.model.{module}.lora_A.weight";
            if (adapterFile.Entries.ContainsKey(a))
            {
                expected = expected + 2.0 * matmul(adapterFile.ReadFloat32($"base_model.model.{module}.lora_B.weight"), adapterFile.ReadFloat32(a));
                adapted++;
            }
            Assert.True(mergedFile.ReadFloat32(name).allclose(expected, rtol: 0, atol: 1e-6), $"{name}: PEFT's merge differs from lora merge");
        }
        Assert.Equal(8, adapted);
    }
}
