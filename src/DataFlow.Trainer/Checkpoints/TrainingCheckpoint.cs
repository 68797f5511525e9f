using System.Security.Cryptography;
using System.Text.Json;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using DataFlow.Trainer.Training;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Checkpoints;

/// <summary>
/// Reads and writes one checkpoint folder: <c>model.safetensors</c> (weights, loadable by Python's safetensors),
/// <c>optimizer.safetensors</c> (AdamW moments) and <c>state.json</c>.
/// </summary>
public static class TrainingCheckpoint
{
    public const string ModelFile = "model.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes into <paramref name="folder"/> (a store's temporary folder); state.json goes last.</summary>
    public static void Write(string folder, Transformer model, AdamW? optimizer, CheckpointState state)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var stream = Create(folder, ModelFile))
        {
            model.save_safetensors(stream, leaveOpen: true);
            stream.Flush(flushToDisk: true);
        }
        files[ModelFile] = Hash(Path.Combine(folder, ModelFile));
        if (optimizer is not null)
        {
            using (var stream = Create(folder, OptimizerFile))
            {
                Safetensors.SaveStateDict(stream, optimizer.StateTensors(), leaveOpen: true);
                stream.Flush(flushToDisk: true);
            }
            files[OptimizerFile] = Hash(Path.Combine(folder, OptimizerFile));
        }
        using (var stream = Create(folder, CheckpointState.FileName))
        {
            JsonSerializer.Serialize(stream, state with { Files = files }, Json);
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Reads state.json and verifies every listed file's checksum; throws naming the file that does not match.</summary>
    public static CheckpointState ReadState(string folder)
    {
        var path = Path.Combine(folder, CheckpointState.FileName);
        if (!File.Exists(path)) throw new InvalidDataException($"{folder}: not a checkpoint (no {CheckpointState.FileName})");
        CheckpointState state;
        try
        {
            state = JsonSerializer.Deserialize<CheckpointState>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: corrupt checkpoint state ({e.Message})", e);
        }
        if (state.FormatVersion != CheckpointState.CurrentFormatVersion)
            throw new InvalidDataException($"{path}: format_version {state.FormatVersion}, this build reads {CheckpointState.CurrentFormatVersion}");
        foreach (var (file, expected) in state.Files)
        {
            var full = Path.Combine(folder, file);
            if (!File.Exists(full)) throw new InvalidDataException($"{folder}: {file} is missing");
            if (Hash(full) != expected) throw new InvalidDataException($"{full}: checksum does not match {CheckpointState.FileName}; the checkpoint is damaged");
        }
        return state;
    }

    /// <summary>Builds the model a checkpoint describes and loads its weights.</summary>
    public static (Transformer Model, CheckpointState State) LoadModel(string folder)
    {
        var state = ReadState(folder);
        var model = new Transformer(state.Model);
        LoadWeights(folder, model);
        return (model, state);
    }

    public static void LoadWeights(string folder, Transformer model)
    {
        var state = ReadState(folder);
        if (state.Model != model.Config)
            throw new InvalidDataException($"{folder}: checkpoint model {Describe(state.Model)} does not match the configured model {Describe(model.Config)}");
        ModelWeights.LoadInto(model, Path.Combine(folder, ModelFile)); // names each missing, unexpected or misshapen tensor
    }

    public static void LoadOptimizer(string folder, AdamW optimizer, CheckpointState state)
    {
        var path = Path.Combine(folder, OptimizerFile);
        if (!File.Exists(path)) throw new InvalidDataException($"{folder}: no optimizer state to resume from");
        var tensors = Safetensors.LoadStateDict(path);
        try
        {
            optimizer.LoadState(tensors, state.OptimizerStepCount);
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
        }
    }

    public static string CaptureRng() => Convert.ToBase64String(get_rng_state().data<byte>().ToArray());

    public static void RestoreRng(string? base64)
    {
        if (base64 is null) return;
        using var state = tensor(Convert.FromBase64String(base64), ScalarType.Byte);
        set_rng_state(state);
    }

    public static string Describe(ModelConfig c) =>
        $"(vocab {c.VocabSize}, dim {c.Dim}, layers {c.Layers}, heads {c.Heads}, kv_heads {c.KvHeadCount}, context {c.ContextLength}, ffn {c.Hidden})";

    private static FileStream Create(string folder, string name) =>
        new(Path.Combine(folder, name), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
