using DataFlow.Bench.Dedup;
using DataFlow.Text.Dedup;

var mode = args.Length > 0 ? args[0] : "help";
var options = new MinHashOptions
{
    Bands = Arg("--bands", 14),
    Rows = Arg("--rows", 8),
    WordNgram = Arg("--ngram", 5),
    CharNgram = Arg("--char-ngram", 5),
    Seed = (ulong)Arg("--seed", 1),
};
switch (mode)
{
    case "accuracy":
        AccuracyEvaluation.Run(args[1], options, Arg("--verify-percent", 60) / 100.0);
        break;
    case "signatures":
        SignatureKernelBench.Run(args[1], Arg("--split", 0), options);
        break;
    case "sentences":
        SentenceKernelBench.Run(args[1], Arg("--n", 3));
        break;
    case "sentence-agreement":
        SentenceAgreement.Run(args[1], args[2], args[3]);
        break;
    case "pipeline":
        PipelineBench.Run(Path.GetFullPath(args[1]), Path.GetFullPath(args[2]), Arg("--tasks", 4), Str("--keys", ""), Arg("--passes", 1));
        break;
    case "incremental":
        IncrementalBench.Run(Path.GetFullPath(args[1]), Path.GetFullPath(args[2]), Path.GetFullPath(args[3]), Str("--keys", ""));
        break;
    case "substring-sa":
        SubstringBench.Kernel(args[1], Arg("--mb", 64), Arg("--k", 50), Str("--only", ""));
        break;
    case "substring":
        SubstringBench.Pipeline(Path.GetFullPath(args[1]), Path.GetFullPath(args[2]), Arg("--tasks", 4), Str("--keys", ""));
        break;
    case "read":
        // The engine's document reader alone, the floor under every stage that streams documents.
        foreach (var keepMetadata in new[] { true, false })
        {
            var cpu0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            long bytes = 0;
            var readOptions = DataFlow.Engine.Documents.ReadOptions.Default with { KeepMetadata = keepMetadata };
            foreach (var file in args.Skip(1).Where(a => !a.StartsWith("--")))
                foreach (var doc in DataFlow.Engine.Documents.DocumentSources.Read(file, readOptions, new ThrowingRejects()))
                    bytes += System.Text.Encoding.UTF8.GetByteCount(doc.Text);
            var cpu = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            Console.WriteLine($"read (keep_metadata {keepMetadata}): {bytes / 1e6 / cpu:F1} MB/s per core");
        }
        break;
    case "split":
        // Cut a corpus into ~N-byte documents and write it as SHARDS JSONL files (the ~5 KB Gutenberg set).
        var docs = BenchCorpus.Load(args[1], Arg("--split", 5000));
        var outDir = args[2];
        Directory.CreateDirectory(outDir);
        var shards = Arg("--shards", 4);
        // --variants V writes V-1 more copies of every document with --mutate-percent of its words replaced
        // (10% gives pairwise Jaccard near 0.4, mostly below the LSH threshold): a bigger input that is not all duplicates.
        var variants = Arg("--variants", 1);
        var mutate = Arg("--mutate-percent", 10) / 100.0;
        for (var s = 0; s < shards; s++)
            BenchCorpus.WriteJsonl(Path.Combine(outDir, $"part-{s:D4}.jsonl"),
                Enumerable.Range(0, variants).SelectMany(v => docs.Where((_, i) => i % shards == s).Select(d => v == 0 ? d : BenchCorpus.Mutate(d, v, mutate))));
        Console.WriteLine($"{docs.Count} docs -> {outDir}");
        break;
    default:
        Console.WriteLine("usage: accuracy CORPUS_DIR | signatures FILE.jsonl[.gz] [--split BYTES] | sentences FILE.jsonl [--n 3] | sentence-agreement INPUT.jsonl DATATROVE_OUT.jsonl DATAFLOW_OUT_DIR | split IN.jsonl.gz OUT_DIR [--split 5000 --shards 4] | pipeline GLOB WORK_DIR [--tasks 4 --keys 'k: v;k2: v2' --passes 1] | incremental OLD_GLOB NEW_GLOB WORK_DIR [--keys ...]  [--bands 14 --rows 8 --ngram 5] | substring-sa FILE.jsonl[.gz] [--mb 64 --k 50 --only window|sais] | substring GLOB WORK_DIR [--tasks 4 --keys 'min_tokens: 50']  [--bands 14 --rows 8 --ngram 5]");
        break;
}

string Str(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}
