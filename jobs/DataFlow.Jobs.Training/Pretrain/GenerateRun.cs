using DataFlow.Jobs.Tokenize;
using DataFlow.Trainer.Checkpoints;
using DataFlow.Trainer.Generation;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Native;
using DataFlow.Trainer.Sft;
using DataFlow.Text.Tokenization;

namespace DataFlow.Jobs.Training.Pretrain;

/// <summary>Text in, text out from a checkpoint folder, using the tokenizer recorded in the checkpoint.</summary>
public static class GenerateRun
{
    /// <summary><paramref name="checkpoint"/> is a checkpoint folder or a training output folder (its newest checkpoint is used).</summary>
    public static IReadOnlyList<string> Execute(string checkpoint, IReadOnlyList<string> prompts, GenerationOptions options)
    {
        TorchRuntime.EnsureInitialized();
        if (File.Exists(Path.Combine(checkpoint, ModelWeights.ConfigFile))) return FromModelFolder(checkpoint, prompts, options);
        var folder = Resolve(checkpoint);
        var (model, state) = TrainingCheckpoint.LoadModel(folder);
        using (model)
        {
            var info = state.Tokenizer ?? throw new InvalidDataException($"{folder}: the checkpoint does not record its tokenizer");
            var tokenizer = TokenizerReference.Load(info.Name);
            if (tokenizer.VocabSize != info.VocabSize)
                throw new InvalidDataException($"{folder}: tokenizer {info.Name} now has {tokenizer.VocabSize} ids, the model was trained with {info.VocabSize}");
            var encoded = prompts.Select(p => Encode(tokenizer, p)).ToArray();
            var stop = options.StopTokens.Count > 0 ? options : options with { StopTokens = [tokenizer.EndOfTextId] };
            var results = new TextGenerator(model).Generate(encoded, stop);
            return results.Select(r => tokenizer.Decode(r.Tokens)).ToArray();
        }
    }

    /// <summary>A model folder (model_config.json + weights + tokenizer files: a training stage's final/, an import) with its own tokenizer.</summary>
    private static IReadOnlyList<string> FromModelFolder(string folder, IReadOnlyList<string> prompts, GenerationOptions options)
    {
        var tokenizer = ModelTokenizer.Load(folder);
        using var model = ModelWeights.LoadTransformer(folder);
        var encoded = prompts.Select(p =>
        {
            var ids = new List<int>();
            if (p.Length == 0) ids.Add(tokenizer.EndOfTextId);
            else tokenizer.Encode(p, ids);
            return ids.ToArray();
        }).ToArray();
        var stop = options.StopTokens.Count > 0 ? options : options with { StopTokens = [tokenizer.EndOfTextId] };
        return new TextGenerator(model).Generate(encoded, stop).Select(r => tokenizer.Decode(r.Tokens)).ToArray();
    }

    private static int[] Encode(ITextTokenizer tokenizer, string prompt)
    {
        var ids = new List<int>();
        if (prompt.Length == 0) ids.Add(tokenizer.EndOfTextId); // an empty prompt starts a fresh document
        else tokenizer.Encode(prompt, ids);
        return ids.ToArray();
    }

    private static string Resolve(string path)
    {
        if (File.Exists(Path.Combine(path, "state.json"))) return path;
        var store = new CheckpointStore(Path.Combine(path, CheckpointStore.FolderName));
        return store.Latest() ?? throw new DirectoryNotFoundException($"{path}: neither a checkpoint nor a training folder with checkpoints/");
    }
}
