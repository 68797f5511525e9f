using System.Diagnostics;
using DataFlow.Text.Tokenization;
using DataFlow.Tokenize.Bench;

// dataflow tokenizer benchmarks. Modes:
//   encode   [--mb N] [--corpus FILE] [--tokenizer-json FILE]   encode MB/s per core: ours vs ML.Tokenizers 2.0.1 vs Tokenizers.DotNet, same vocab, ids compared
//   train    [--mb N] [--vocab N] [--corpus FILE] [--out FILE]  BPE training time and peak RSS (run once per configuration: RSS is per process)
//   compress --corpus FILE --tokenizer-json FILE...             bytes per token of gpt2 and each tokenizer.json on the same text
//   read     --dataset DIR [--batch N] [--cache-mb N] [--block-rows N --window-blocks W] TokenShardDataset rows/s: sequential, and shuffled batches from TokenBatchSampler
var mode = args.Length > 0 ? args[0] : "encode";
if (mode == "read") return ReadBench.Run(args);
string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
IEnumerable<string> Args(string name)
{
    for (var i = 0; i + 1 < args.Length; i++) if (args[i] == name) yield return args[i + 1];
}

var defaultCorpus = BenchCorpus.SharedPath("data/corpus/gutenberg-a8.jsonl.gz");
var corpus = Args("--corpus").ToArray() is { Length: > 0 } given ? given : [defaultCorpus ?? "gutenberg-a8.jsonl.gz (not found)"];
if (corpus.FirstOrDefault(c => !File.Exists(c)) is { } missing)
{
    Console.Error.WriteLine($"corpus '{missing}' not found: pass --corpus FILE (repeatable) or set DATAFLOW_SHARED");
    return 2;
}
var skipBytes = (long)(double.Parse(Arg("--skip-mb", "0"), System.Globalization.CultureInfo.InvariantCulture) * 1e6);
var megabytes = double.Parse(Arg("--mb", mode == "train" ? "100" : "10"), System.Globalization.CultureInfo.InvariantCulture);
Console.WriteLine($"# {mode} on {string.Join(" + ", corpus.Select(Path.GetFileName))}{(skipBytes > 0 ? $" after the first {skipBytes / 1e6:F0} MB" : "")}, {Environment.ProcessorCount} cores, .NET {Environment.Version}");

switch (mode)
{
    case "encode":
    {
        var texts = BenchCorpus.Load(corpus, skipBytes, (long)(megabytes * 1e6));
        var bytes = BenchCorpus.Bytes(texts);
        Console.WriteLine($"# {texts.Count} documents, {bytes / 1e6:F1} MB; single thread (MB/s per core)");
        var gpt2Json = Path.Combine(Path.GetTempPath(), "dataflow-bench-gpt2-tokenizer.json");
        var gpt2Model = ByteLevelBpeModel.FromTiktokenRanks(KnownTokenizers.Ranks(KnownTokenizers.Gpt2),
            new Dictionary<string, int> { [SpecialTokens.EndOfText] = 50256 }, PreTokenizerPatterns.Gpt2);
        File.WriteAllText(gpt2Json, HuggingFaceTokenizerJson.Write(gpt2Model));
        // Ours first (the stage's encoder); every other encoder's ids are compared with its ids, and the ratios are ours / theirs.
        EncodeBench.Compare("gpt2", texts, bytes, [
            ("ByteLevelBpeEncoder, tiktoken rule (gpt2)", EncodeBench.Library(KnownTokenizers.Load(KnownTokenizers.Gpt2))),
            ("ByteLevelBpeEncoder, merges (gpt2 tokenizer.json)", EncodeBench.Library(gpt2Model.CreateTokenizer("gpt2", allowTiktoken: false))),
            ("ML.Tokenizers Tiktoken (gpt2), before", EncodeBench.Library(KnownTokenizers.LoadLibrary(KnownTokenizers.Gpt2))),
            ("ML.Tokenizers BPE (gpt2 tokenizer.json)", EncodeBench.Library(gpt2Model.CreateLibraryTokenizer("gpt2", allowTiktoken: false))),
            ("Tokenizers.DotNet HF (gpt2 tokenizer.json)", EncodeBench.HuggingFace(gpt2Json)),
        ]);
        foreach (var json in Args("--tokenizer-json"))
        {
            var model = HuggingFaceTokenizerJson.Read(File.ReadAllText(json), json);
            EncodeBench.Compare(Path.GetFileName(json), texts, bytes, [
                ("ByteLevelBpeEncoder as loaded", EncodeBench.Library(model.CreateTokenizer(json))),
                ("ByteLevelBpeEncoder, merges", EncodeBench.Library(model.CreateTokenizer(json, allowTiktoken: false))),
                ($"ML.Tokenizers as before ({model.CreateLibraryTokenizer(json).Inner.GetType().Name})", EncodeBench.Library(model.CreateLibraryTokenizer(json))),
                ("ML.Tokenizers BPE", EncodeBench.Library(model.CreateLibraryTokenizer(json, allowTiktoken: false))),
                ("Tokenizers.DotNet HF", EncodeBench.HuggingFace(json)),
            ]);
        }
        return 0;
    }
    case "train":
    {
        var vocab = int.Parse(Arg("--vocab", "32768"), System.Globalization.CultureInfo.InvariantCulture);
        var output = Arg("--out", Path.Combine(Path.GetTempPath(), $"dataflow-bench-bpe-{vocab}.json"));
        var pattern = Arg("--pattern", "cl100k") == "gpt2" ? PreTokenizerPatterns.Gpt2 : PreTokenizerPatterns.Cl100k;
        var maxWordTypes = int.Parse(Arg("--max-word-types", "2000000"), System.Globalization.CultureInfo.InvariantCulture);
        var trainer = new ByteLevelBpeTrainer(new BpeTrainerOptions { VocabSize = vocab, PreTokenizerPattern = pattern, MaxWordTypes = maxWordTypes });
        var process = Process.GetCurrentProcess();
        var clock = Stopwatch.StartNew();
        long bytes = 0;
        // Stream documents straight into the trainer: the corpus is never held in memory.
        foreach (var text in StreamingCorpus.Read(corpus, skipBytes, (long)(megabytes * 1e6)))
        {
            trainer.AddText(text);
            bytes += System.Text.Encoding.UTF8.GetByteCount(text);
        }
        var countSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var model = trainer.Train();
        var mergeSeconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        File.WriteAllText(output, HuggingFaceTokenizerJson.Write(model));
        Console.WriteLine($"train vocab={model.VocabSize} merges={model.Merges.Count} pattern={Arg("--pattern", "cl100k")} text={bytes / 1e6:F1} MB docs={trainer.Documents} " +
                          $"word_types={trainer.WordTypes} pruned={trainer.PrunedWordTypes} count_s={countSeconds:F1} ({bytes / 1e6 / countSeconds:F1} MB/s) " +
                          $"merge_s={mergeSeconds:F1} total_s={countSeconds + mergeSeconds:F1} cpu_s={process.TotalProcessorTime.TotalSeconds:F1} peak_rss_mb={Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} -> {output}");
        return 0;
    }
    case "compress":
    {
        var texts = BenchCorpus.Load(corpus, skipBytes, (long)(megabytes * 1e6));
        var bytes = BenchCorpus.Bytes(texts);
        Console.WriteLine($"# {texts.Count} documents, {bytes / 1e6:F2} MB");
        Console.WriteLine("| tokenizer | vocab | tokens | bytes/token |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        var tokenizers = new List<ITextTokenizer> { KnownTokenizers.Load(KnownTokenizers.Gpt2), KnownTokenizers.Load(KnownTokenizers.Cl100kBase) };
        tokenizers.AddRange(Args("--tokenizer-json").Select(j => TokenizerFiles.FromJson(File.ReadAllText(j), Path.GetFileName(j))));
        foreach (var tokenizer in tokenizers)
        {
            long tokens = 0;
            var ids = new List<int>();
            foreach (var text in texts)
            {
                ids.Clear();
                tokenizer.Encode(text, ids);
                tokens += ids.Count;
            }
            Console.WriteLine($"| {tokenizer.Name} | {tokenizer.VocabSize:N0} | {tokens:N0} | {bytes / (double)tokens:F3} |");
        }
        return 0;
    }
    default:
        Console.Error.WriteLine($"unknown mode '{mode}': encode | train | compress");
        return 2;
}
