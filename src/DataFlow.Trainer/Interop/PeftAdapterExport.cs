using System.Text.Json;
using System.Text.Json.Nodes;
using DataFlow.Trainer.Lora;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Interop;

/// <summary>
/// A LoRA run's adapter folder -> a PEFT adapter (<c>adapter_config.json</c> + <c>adapter_model.safetensors</c>) that
/// <c>PeftModel.from_pretrained</c> attaches to the exported base model. The math is PEFT's default LoRA: W + (alpha / r) B A,
/// A [r, in], B [out, r]. A merged full model is <c>dataflow lora merge</c> followed by <c>export hf</c>.
/// </summary>
public static class PeftAdapterExport
{
    public const string BaseModelFile = "base_model.txt";

    public static IReadOnlyList<string> Run(string adapterDir, string outDir, HfExportOptions options)
    {
        var config = JsonSerializer.Deserialize<LoraConfig>(File.ReadAllText(Path.Combine(adapterDir, LoraAdapters.ConfigFile)), TrainerJson.Options)
            ?? throw new InvalidDataException($"{adapterDir}/{LoraAdapters.ConfigFile} is empty");
        config.Validate();
        var recordedBase = Path.Combine(adapterDir, BaseModelFile);
        var baseModel = options.BaseModel ?? (File.Exists(recordedBase) ? File.ReadAllText(recordedBase).Trim() : "");
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        var peft = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["base_model_name_or_path"] = baseModel,
            ["r"] = config.Rank,
            ["lora_alpha"] = config.Alpha,
            ["lora_dropout"] = config.Dropout,
            ["target_modules"] = new JsonArray(config.Targets.Select(t => (JsonNode)HfTensorNames.TargetModule(t)).ToArray()),
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["use_rslora"] = false,
            ["use_dora"] = false,
            ["inference_mode"] = true,
            ["modules_to_save"] = null,
        };
        HfExport.Write(outDir, LoraAdapters.ConfigFile, peft, written);
        var loaded = Safetensors.LoadStateDict(Path.Combine(adapterDir, LoraAdapters.WeightsFile));
        try
        {
            var tensors = loaded.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => (HfTensorNames.ToPeft(p.Key), p.Value.to(ScalarType.Float32))).ToList();
            SafetensorsFile.Write(Path.Combine(outDir, LoraAdapters.WeightsFile), tensors);
        }
        finally
        {
            foreach (var tensor in loaded.Values) tensor.Dispose();
        }
        written.Add(LoraAdapters.WeightsFile);
        return written;
    }
}
