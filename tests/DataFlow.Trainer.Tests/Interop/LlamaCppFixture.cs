using DataFlow.Text.Chat;
using DataFlow.Text.Tokenization;
using DataFlow.Trainer.Interop;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Native;
using DataFlow.Trainer.Sft;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>
/// What the llama.cpp tests share, built once: the mixed corpus, three tokenizers (trained with the cl100k and the
/// GPT-2 pattern, and the byte vocabulary) as model folders, and a small model trained briefly on the corpus with the
/// cl100k tokenizer, exported as GGUF in every type.
/// </summary>
public sealed class LlamaCppFixture : IDisposable
{
    public const int ContextLength = 128;
    private readonly Lazy<IReadOnlyList<string>> _corpus = new(() => InteropCorpus.Pieces());
    private readonly Dictionary<string, string> _tokenizerFolders = [];
    private readonly Lazy<string> _trained;

    public LlamaCppFixture()
    {
        Directory = TinyModels.TempDir("llama-cpp");
        _trained = new Lazy<string>(TrainModel);
    }

    public string Directory { get; }

    public IReadOnlyList<string> Corpus => _corpus.Value;

    /// <summary>
    /// A model folder (untrained weights: only its tokenizer matters) for a tokenizer trained with the "cl100k", "gpt2" or
    /// "o200k" pattern, GPT-2's or cl100k_base's published vocabulary ("gpt2-vocab", "cl100k-vocab", chat tokens after it)
    /// or the byte vocabulary ("bytes").
    /// </summary>
    public string TokenizerFolder(string kind)
    {
        if (_tokenizerFolders.TryGetValue(kind, out var done)) return done;
        var tokenizerJson = Path.Combine(Directory, $"{kind}-tokenizer.json");
        File.WriteAllText(tokenizerJson, HuggingFaceTokenizerJson.Write(kind switch
        {
            "cl100k" => TrainTokenizer(PreTokenizerPatterns.Cl100k),
            "gpt2" => TrainTokenizer(PreTokenizerPatterns.Gpt2),
            "o200k" => TrainTokenizer(PreTokenizerPatterns.O200k),
            "gpt2-vocab" => Gpt2Vocabulary(),
            "cl100k-vocab" => KnownTokenizers.ByteLevelModel(KnownTokenizers.Cl100kBase),
            "bytes" => ByteVocabulary(),
            _ => throw new ArgumentException(kind),
        }));
        var tokenizer = ChatTokenizer.Load(tokenizerJson);
        TorchRuntime.EnsureInitialized();
        manual_seed(1);
        using var model = new Transformer(new ModelConfig { VocabSize = tokenizer.VocabSize, Dim = 32, Layers = 1, Heads = 2, ContextLength = ContextLength });
        var folder = Path.Combine(Directory, $"{kind}-model");
        ModelWeights.Save(model, model.Config, folder, tokenizer);
        return _tokenizerFolders[kind] = folder;
    }

    /// <summary>The trained model folder (cl100k-pattern tokenizer, grouped-query attention, rope scale 2).</summary>
    public string TrainedFolder => _trained.Value;

    /// <summary>The trained model exported as <paramref name="type"/> (exported once per type).</summary>
    public string TrainedGguf(GgmlType type)
    {
        var path = Path.Combine(Directory, $"trained-{type}.gguf");
        if (!File.Exists(path)) LlamaGgufExport.Export(TrainedFolder, path, type);
        return path;
    }

    public string TokenizerGguf(string kind)
    {
        var path = Path.Combine(Directory, $"{kind}-tokenizer.gguf");
        if (!File.Exists(path)) LlamaGgufExport.Export(TokenizerFolder(kind), path, GgmlType.F32);
        return path;
    }

    /// <summary>A few hundred merges learned from the corpus: enough for multi-byte tokens in every script.</summary>
    private ByteLevelBpeModel TrainTokenizer(string pattern)
    {
        var trainer = new ByteLevelBpeTrainer(new BpeTrainerOptions { VocabSize = 256 + 500 + SpecialTokens.Default.Count, PreTokenizerPattern = pattern, MaxWordTypes = 100_000 });
        foreach (var piece in Corpus) trainer.AddText(piece);
        return trainer.Train();
    }

    /// <summary>GPT-2's 50,257 ids with the chat tokens added after &lt;|endoftext|&gt; (50256): what a GPT-2 model folder's tokenizer.json holds.</summary>
    private static ByteLevelBpeModel Gpt2Vocabulary() => HuggingFaceTokenizerJson.Read(ChatTokenizer.Load("gpt2").HuggingFaceJson()!, "gpt2 tokenizer.json");

    /// <summary>The byte vocabulary as tokenizer.json: the six chat specials as ids 0-5, byte b as id 6 + b, no merges.</summary>
    private static ByteLevelBpeModel ByteVocabulary() => ByteTextTokenizer.ByteLevelModel();

    /// <summary>1000 AdamW steps on the corpus: peaked next-token distributions, so the comparison is not of near-uniform noise.</summary>
    private string TrainModel()
    {
        var tokenizerFolder = TokenizerFolder("cl100k");
        var tokenizer = ModelTokenizer.Load(tokenizerFolder);
        var stream = new List<int>();
        foreach (var piece in Corpus) tokenizer.Encode(piece, stream);
        var config = new ModelConfig
        {
            VocabSize = tokenizer.VocabSize, Dim = 64, Layers = 2, Heads = 4, KvHeads = 2, ContextLength = ContextLength, RopeScale = 2.0, RopeTheta = 10_000,
        };
        TorchRuntime.EnsureInitialized();
        manual_seed(5);
        using var model = new Transformer(config);
        using var optimizer = optim.AdamW(model.parameters(), lr: 3e-3, weight_decay: 0.0);
        const int steps = 1000, batch = 16, length = 64;
        var random = new Random(11);
        var all = tensor(stream.Select(t => (long)t).ToArray());
        model.train();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var starts = Enumerable.Range(0, batch).Select(_ => (long)random.Next(stream.Count - length - 1)).ToArray();
            var index = tensor(starts).view(batch, 1) + arange(length + 1).view(1, length + 1);
            var rows = all.index_select(0, index.reshape(-1)).view(batch, length + 1);
            var loss = model.Loss(rows.narrow(1, 0, length), rows.narrow(1, 1, length));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            if (step == steps - 1) FinalLoss = loss.item<float>();
        }
        all.Dispose();
        TrainingSeconds = clock.Elapsed.TotalSeconds;
        model.eval();
        var folder = Path.Combine(Directory, "trained-model");
        ModelWeights.Save(model, config, folder, tokenizer);
        return folder;
    }

    public float FinalLoss { get; private set; }
    public double TrainingSeconds { get; private set; }

    public void Dispose()
    {
        // Kept for a look with the probe or node-llama-cpp's CLI when asked to.
        if (Environment.GetEnvironmentVariable("DATAFLOW_KEEP_LLAMA_CPP_FILES") == "1") return;
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}
