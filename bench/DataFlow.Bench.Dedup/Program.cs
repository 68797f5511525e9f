using DataFlow.Bench.Dedup;
using DataFlow.Text.Dedup;

var mode = args.Length > 0 ? args[0] : "help";
var options = new MinHashOptions
{
    Bands = Arg("--bands", 14),
    Rows = Arg("--rows", 8),
    WordNgram = Arg("--ngram", 5),
    Seed = (ulong)Arg("--seed", 1),
};
switch (mode)
{
    case "accuracy":
        AccuracyEvaluation.Run(args[1], options);
        break;
    case "signatures":
        SignatureKernelBench.Run(args[1], Arg("--split", 0), options);
        break;
    default:
        Console.WriteLine("usage: accuracy CORPUS_DIR | signatures FILE.jsonl[.gz] [--split BYTES] | pipeline FILE [--split BYTES]  [--bands 14 --rows 8 --ngram 5]");
        break;
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}
