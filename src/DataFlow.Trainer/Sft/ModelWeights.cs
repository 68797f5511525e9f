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

    /// <summary>
    /// Copies tensors by name (file name = <paramref name="prefix"/> + model name) into <paramref name="model"/>. Throws
    /// <see cref="InvalidDataException"/> naming every shape mismatch and, with <paramref name="strict"/>, every model
    /// tensor the file lacks and every file tensor under <paramref name="prefix"/> the model lacks; nothing is copied then.
    /// </summary>
    public static void LoadInto(nn.Module model, string path, bool strict = true, string prefix = "")
    {
        var loaded = Safetensors.LoadStateDict(path);
        try
        {
            var own = model.state_dict();
            var missing = own.Keys.Where(name => !loaded.ContainsKey(prefix + name)).ToList();
            var unexpected = loaded.Keys.Where(key => key.StartsWith(prefix, StringComparison.Ordinal) && !own.ContainsKey(key[prefix.Length..])).Order(StringComparer.Ordinal).ToList();
            var misshapen = own.Where(p => loaded.TryGetValue(prefix + p.Key, out var value) && !value.shape.SequenceEqual(p.Value.shape))
                .Select(p => $"{prefix + p.Key}: file [{string.Join(", ", loaded[prefix + p.Key].shape)}] vs model [{string.Join(", ", p.Value.shape)}]").ToList();
            var problems = new List<string>();
            if (strict && missing.Count > 0) problems.Add($"missing from the file: {string.Join(", ", missing.Select(name => prefix + name))}");
            if (strict && unexpected.Count > 0) problems.Add($"not in the model: {string.Join(", ", unexpected)}");
            if (misshapen.Count > 0) problems.Add($"shape mismatches: {string.Join("; ", misshapen)}");
            if (problems.Count > 0) throw new InvalidDataException($"{path} does not fit the model: {string.Join("; ", problems)}");
            using (no_grad())
            {
                foreach (var (name, tensor) in own)
                    if (loaded.TryGetValue(prefix + name, out var value)) tensor.copy_(value);
            }
        }
        finally
        {
            foreach (var tensor in loaded.Values) tensor.Dispose();
        }
    }
}
