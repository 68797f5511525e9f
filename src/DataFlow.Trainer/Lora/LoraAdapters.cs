using System.Text.Json;
using DataFlow.Trainer.Model;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Trainer.Lora;

/// <summary>
/// LoRA adapters attached to every target linear of a <see cref="Transformer"/>. Attaching freezes all base weights;
/// only the adapters train and only they are saved (safetensors, keys like <c>layers.0.attention.wq.lora_A</c>,
/// plus <c>adapter_config.json</c>). <see cref="MergeIntoBase"/> folds them into the base weights.
/// </summary>
public sealed class LoraAdapters : IDisposable
{
    public const string WeightsFile = "adapter_model.safetensors";
    public const string ConfigFile = "adapter_config.json";
    private readonly Dictionary<string, LoraLinear> _adapters = new(StringComparer.Ordinal);

    private LoraAdapters(LoraConfig config) => Config = config;

    public LoraConfig Config { get; }
    public IReadOnlyDictionary<string, LoraLinear> Adapters => _adapters;

    /// <summary>Freezes <paramref name="model"/> and hooks an adapter onto each target linear.</summary>
    public static LoraAdapters Attach(Transformer model, LoraConfig config)
    {
        config.Validate();
        foreach (var parameter in model.parameters()) parameter.requires_grad = false;
        var adapters = new LoraAdapters(config);
        for (var i = 0; i < model.layers.Count; i++)
        {
            var block = model.layers[i];
            foreach (var target in config.Targets)
            {
                var (path, linear) = target switch
                {
                    "wq" => ("attention.wq", block.attention.wq),
                    "wk" => ("attention.wk", block.attention.wk),
                    "wv" => ("attention.wv", block.attention.wv),
                    "wo" => ("attention.wo", block.attention.wo),
                    "w1" => ("feed_forward.w1", block.feed_forward.w1),
                    "w2" => ("feed_forward.w2", block.feed_forward.w2),
                    _ => ("feed_forward.w3", block.feed_forward.w3),
                };
                adapters._adapters[$"layers.{i}.{path}"] = new LoraLinear(linear, config);
            }
        }
        return adapters;
    }

    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>The adapter weights under their saved names (<c>layers.0.attention.wq.lora_A</c>), for the optimizer's state.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters() =>
        _adapters.SelectMany(a => new[] { ($"{a.Key}.lora_A", a.Value.lora_A), ($"{a.Key}.lora_B", a.Value.lora_B) });

    public long ParameterCount => Parameters().Sum(p => p.numel());

    /// <summary>Reseeds the generator every adapter draws its dropout masks from.</summary>
    public void SeedDropout(long seed)
    {
        _dropoutGenerator ??= new Generator(0);
        _dropoutGenerator.manual_seed(seed);
        foreach (var adapter in _adapters.Values) adapter.DropoutGenerator = _dropoutGenerator;
    }

    private Generator? _dropoutGenerator;

    /// <summary>Switches adapter dropout between training and evaluation behaviour.</summary>
    public void Train(bool training)
    {
        foreach (var adapter in _adapters.Values) adapter.train(training);
    }

    public Dictionary<string, Tensor> StateDict() =>
        _adapters.SelectMany(p => new[] { ($"{p.Key}.lora_A", (Tensor)p.Value.lora_A), ($"{p.Key}.lora_B", p.Value.lora_B) })
            .ToDictionary(p => p.Item1, p => p.Item2);

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        Safetensors.SaveStateDict(Path.Combine(directory, WeightsFile), StateDict());
        File.WriteAllText(Path.Combine(directory, ConfigFile), JsonSerializer.Serialize(Config, TrainerJson.Options));
    }

    /// <summary>Attaches adapters described by <paramref name="directory"/> to <paramref name="model"/> and loads their weights.</summary>
    public static LoraAdapters Load(Transformer model, string directory)
    {
        var config = JsonSerializer.Deserialize<LoraConfig>(File.ReadAllText(Path.Combine(directory, ConfigFile)), TrainerJson.Options)
            ?? throw new InvalidDataException($"{directory}/{ConfigFile} is empty");
        var adapters = Attach(model, config);
        adapters.LoadWeights(Path.Combine(directory, WeightsFile));
        return adapters;
    }

    public void LoadWeights(string path)
    {
        var loaded = Safetensors.LoadStateDict(path);
        var own = StateDict();
        foreach (var key in own.Keys.Where(k => !loaded.ContainsKey(k)))
            throw new InvalidDataException($"{path} lacks adapter tensor '{key}'");
        using (no_grad())
            foreach (var (key, tensor) in own) tensor.copy_(loaded[key]);
        foreach (var tensor in loaded.Values) tensor.Dispose();
    }

    /// <summary>Adds each adapter's scaled B A into its base weight and detaches the hooks; the model is then plain again.</summary>
    public void MergeIntoBase()
    {
        foreach (var adapter in _adapters.Values) adapter.MergeIntoTarget();
    }

    public void Dispose()
    {
        foreach (var adapter in _adapters.Values)
        {
            adapter.Detach();
            adapter.Dispose();
        }
    }
}
