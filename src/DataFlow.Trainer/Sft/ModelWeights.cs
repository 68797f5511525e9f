using System.Text.Json;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Model;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Trainer.Sft;

/// <summary>
/// A model folder: <c>model_config.json</c> + <c>model.safetensors</c>. Enough to rebuild a <see cref="Transformer"/>
/// (and a reward model's head) from the folder alone.
/// </summary>
public static class ModelWeights
{
    public const string ConfigFile = "model_config.json";
    public const string WeightsFile = "model.safetensors";

    /// <param name="tokenizer">The model's tokenizer, written beside the weights (<see cref="ModelTokenizer"/>) so the folder is model + tokenizer.</param>
    public static void Save(nn.Module model, ModelConfig config, string directory, ChatTokenizer? tokenizer, string weightsFile = WeightsFile)
    {
        Directory.CreateDirectory(directory);
        if (tokenizer is not null)
        {
            ModelTokenizer.Check(config, $"model {directory}", tokenizer, "its tokenizer");
            ModelTokenizer.Save(directory, tokenizer);
        }
        File.WriteAllText(Path.Combine(directory, ConfigFile), JsonSerializer.Serialize(config, TrainerJson.Options));
        var temp = Path.Combine(directory, weightsFile + ".tmp");
        Safetensors.SaveStateDict(temp, model.state_dict());
        File.Move(temp, Path.Combine(directory, weightsFile), overwrite: true);
    }

    public static ModelConfig LoadConfig(string directory) =>
        JsonSerializer.Deserialize<ModelConfig>(File.ReadAllText(Path.Combine(directory, ConfigFile)), TrainerJson.Options)
        ?? throw new InvalidDataException($"{directory}/{ConfigFile} is empty");

    public static Transformer LoadTransformer(string directory)
    {
        var model = new Transformer(LoadConfig(directory));
        LoadInto(model, Path.Combine(directory, WeightsFile));
        return model;
    }

    /// <summary>Copies tensors by name into <paramref name="model"/>; strict: every model tensor must be in the file.</summary>
    public static void LoadInto(nn.Module model, string path, bool strict = true, string prefix = "")
    {
        var loaded = Safetensors.LoadStateDict(path);
        using (no_grad())
        {
            foreach (var (name, tensor) in model.state_dict())
            {
                if (loaded.TryGetValue(prefix + name, out var value)) tensor.copy_(value);
                else if (strict) throw new InvalidDataException($"{path} lacks tensor '{prefix + name}'");
            }
        }
        foreach (var tensor in loaded.Values) tensor.Dispose();
    }
}
