using DataFlow.Engine.Config;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Training;

namespace DataFlow.Jobs.Training.Pretrain;

/// <summary>
/// A pretraining run as configured in YAML (<c>conf/train/*.yaml</c> or a pipeline's <c>type: pretrain</c> stage).
/// Model sizes not given default to the small Shakespeare-char model; vocab_size comes from the data's manifest,
/// context_length defaults to the data's seq_len.
/// </summary>
public sealed record PretrainSettings
{
    /// <summary>Token dataset folder; null in a pipeline stage means the previous stage's output.</summary>
    public required string? DataDir { get; init; }
    public required string OutputDir { get; init; }
    public required int BatchSize { get; init; }
    public required TrainingOptions Training { get; init; }
    /// <summary>Model keys as given; <see cref="ModelFor"/> fills vocab and context from the data.</summary>
    public required ModelConfig ModelTemplate { get; init; }
    public int? ContextLength { get; init; }

    public static readonly string[] TopKeys = ["data", "output", "model", "training"];

    /// <summary>Reads the keys of <paramref name="section"/>; relative paths resolve against <paramref name="baseDir"/>.</summary>
    public static PretrainSettings Read(ConfigSection section, string baseDir, string? defaultData = null, string? defaultOutput = null, bool dataFromPipeline = false)
    {
        var data = section.GetString("data") ?? defaultData;
        if (data is null && !dataFromPipeline) throw section.Error("data", "required: the token dataset folder (with manifest.json)");
        var output = section.GetString("output") ?? defaultOutput ?? throw section.Error("output", "required: the folder for checkpoints and metrics");
        var model = section.GetSection("model") ?? ConfigSection.Empty(section.File, "model");
        var training = section.GetSection("training") ?? ConfigSection.Empty(section.File, "training");
        var settings = new PretrainSettings
        {
            DataDir = data is null ? null : Path.GetFullPath(Path.Combine(baseDir, data)),
            OutputDir = Path.GetFullPath(Path.Combine(baseDir, output)),
            ContextLength = model.Has("context_length") ? model.GetInt("context_length", 0, 1, 1 << 20) : null,
            ModelTemplate = new ModelConfig
            {
                VocabSize = 1, // replaced by the manifest's
                Dim = model.GetInt("dim", 128, 1),
                Layers = model.GetInt("layers", 4, 1),
                Heads = model.GetInt("heads", 4, 1),
                KvHeads = model.GetInt("kv_heads", 0, 0),
                FfnHidden = model.GetInt("ffn_hidden", 0, 0),
                RopeTheta = model.GetDouble("rope_theta", 10_000, 1),
                RopeScale = model.GetDouble("rope_scale", 1.0, 1.0),
                NormEps = model.GetDouble("norm_eps", 1e-5, 0, 1),
            },
            BatchSize = training.GetInt("batch_size", 12, 1),
            Training = TrainingKeys.Bind<TrainingOptions>([training]),
        };
        model.EnsureAllKeysUsed();
        TrainingKeys.Validate([training], settings.Training.Validate);
        return settings;
    }

    /// <summary>Loads a whole training YAML file; relative paths resolve against the current directory.</summary>
    public static PretrainSettings Load(string file)
    {
        var section = ConfigSection.LoadFile(file);
        var settings = Read(section, Directory.GetCurrentDirectory());
        section.EnsureAllKeysUsed();
        return settings;
    }

    public ModelConfig ModelFor(int vocabSize, int seqLen) =>
        ModelTemplate with { VocabSize = vocabSize, ContextLength = ContextLength ?? seqLen };
}
