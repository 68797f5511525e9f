using DataFlow.Jobs.Tokenize;
using DataFlow.Trainer.Checkpoints;
using DataFlow.Trainer.Generation;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Native;
using DataFlow.Trainer.Sft;

namespace DataFlow.Jobs.Training.Pretrain;

/// <summary>Text in, text out from a checkpoint folder (its recorded tokenizer) or a model folder (its own tokenizer files).</summary>
public static class GenerateRun
{
    /// <summary>
    /// <paramref name="checkpoint"/> is a checkpoint folder, a training output folder (its newest checkpoint is used) or a
    /// model folder (model_config.json + model.safetensors + tokenizer files, as SFT writes and GGUF export reads).
    /// </summary>
    public static IReadOnlyList<string> Execute(string checkpoint, IReadOnlyList<string> prompts, GenerationOptions options)
    {
        TorchRuntime.EnsureInitialized();
        if (IsModelFolder(checkpoint)) return FromModelFolder(checkpoint, prompts, options);
        var folder = Resolve(checkpoint);
        var (model, state) = TrainingCheckpoint.LoadModel(folder);
        using (model)
        {
            var info = state.Tokenizer ?? throw new InvalidDataException($"{folder}: the checkpoint does not record its tokenizer");
            var tokenizer = TokenizerReference.Load(info.Name);
            if (tokenizer.VocabSize != info.VocabSize)
                throw new InvalidDataException($"{folder}: tokenizer {info.Name} now has {tokenizer.VocabSize} ids, the model was trained with {info.VocabSize}");
            return Generate(model, prompts, options, tokenizer.EndOfTextId, tokenizer.Encode, tokenizer.Decode);
        }
    }

    private static bool IsModelFolder(string path) =>
        File.Exists(Path.Combine(path, ModelWeights.ConfigFile)) && File.Exists(Path.Combine(path, ModelWeights.WeightsFile)) &&
        !File.Exists(Path.Combine(path, "state.json"));

    /// <summary>A model folder: the prompt is plain text (special-token strings stay text), as llama.cpp tokenizes it by default.</summary>
    private static IReadOnlyList<string> FromModelFolder(string folder, IReadOnlyList<string> prompts, GenerationOptions options)
    {
        var tokenizer = ModelTokenizer.Load(folder);
        using var model = ModelWeights.LoadTransformer(folder);
        ModelTokenizer.Check(model.Config, $"model {folder}", tokenizer, "its tokenizer", allowGrowth: true); // a base model lacks the chat rows; plain text needs none
        return Generate(model, prompts, options, tokenizer.EndOfTextId, tokenizer.Encode, tokenizer.Decode);
    }

    /// <summary>Greedy or sampled continuations of <paramref name="prompts"/>, stopping at end-of-text unless told otherwise.</summary>
    private static IReadOnlyList<string> Generate(Transformer model, IReadOnlyList<string> prompts, GenerationOptions options, int endOfTextId,
        Action<string, List<int>> encode, Func<IEnumerable<int>, string> decode)
    {
        var encoded = prompts.Select(prompt =>
        {
            var ids = new List<int>();
            if (prompt.Length == 0) ids.Add(endOfTextId); // an empty prompt starts a fresh document
            else encode(prompt, ids);
            return ids.ToArray();
        }).ToArray();
        var stop = options.StopTokens.Count > 0 ? options : options with { StopTokens = [endOfTextId] };
        return new TextGenerator(model).Generate(encoded, stop).Select(r => decode(r.Tokens)).ToArray();
    }

    private static string Resolve(string path)
    {
        if (File.Exists(Path.Combine(path, "state.json"))) return path;
        var store = new CheckpointStore(Path.Combine(path, CheckpointStore.FolderName));
        return store.Latest() ?? throw new DirectoryNotFoundException($"{path}: neither a checkpoint nor a training folder with checkpoints/");
    }
}
