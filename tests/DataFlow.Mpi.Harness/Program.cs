using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using DataFlow.Trainer.Data;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Native;
using DataFlow.Trainer.Training;
using static TorchSharp.torch;

// Usage (each rank writes OUT/rank-R.json):
//   collectives OUT
//   write-dataset OUT    (a character-level token-shard dataset for `dataflow train pretrain`; no MPI)
//   train OUT [--batch B] [--steps S] [--dim D] [--layers L] [--seq T] [--threads N] [--bf16] [--distributed mpi|none]
if (args.Length < 2) { Console.Error.WriteLine("usage: collectives OUT | train OUT [options]"); return 2; }
var mode = args[0];
var outDir = args[1];
Directory.CreateDirectory(outDir);
var options = ParseOptions(args.Skip(2).ToArray());
if (mode == "write-dataset")
{
    WriteDataset(outDir);
    return 0;
}
// --distributed mpi|none, as `dataflow train` takes it (the sbatch template appends it); default mpi.
var parallel = DistributedMode.Start(options.GetValueOrDefault("distributed", "mpi"));
var mpi = parallel.Communicator;
var rank = mpi?.Rank ?? 0;
var result = mode switch
{
    "collectives" => Collectives(mpi ?? throw new InvalidOperationException("collectives need MPI")),
    "train" => Train(parallel, options, outDir),
    _ => throw new ArgumentException($"unknown mode '{mode}'"),
};
File.WriteAllText(Path.Combine(outDir, $"rank-{rank}.json"), JsonSerializer.Serialize(result));
mpi?.Dispose();
return 0;

static Dictionary<string, object?> Collectives(MpiCommunicator mpi)
{
    // Broadcast: rank 0 holds 0,1,2,...; the others start with -1s.
    var bcast = Enumerable.Range(0, 1000).Select(i => mpi.IsRoot ? i * 0.5f : -1f).ToArray();
    mpi.Broadcast(bcast);
    // All-reduce: rank r contributes (r + 1) * (i + 1); the sum is size(size+1)/2 * (i + 1).
    var sum = Enumerable.Range(0, 3000).Select(i => (mpi.Rank + 1f) * (i + 1)).ToArray();
    mpi.AllReduceSum(sum);
    var average = mpi.Average(mpi.Rank * 10.0);
    mpi.Barrier();
    return new() { ["rank"] = mpi.Rank, ["size"] = mpi.Size, ["bcast"] = bcast, ["allreduce"] = sum, ["average"] = average };
}

static Dictionary<string, object?> Train(DataParallel parallel, Dictionary<string, string> o, string outDir)
{
    var mpi = parallel.Communicator;
    int Get(string key, int fallback) => o.TryGetValue(key, out var v) ? int.Parse(v) : fallback;
    var (batch, steps, dim, layers, seq) = (Get("batch", 8), Get("steps", 20), Get("dim", 32), Get("layers", 2), Get("seq", 16));
    TorchRuntime.EnsureInitialized();
    var config = new ModelConfig { VocabSize = 64, Dim = dim, Layers = layers, Heads = 4, ContextLength = seq };
    // Each rank seeds differently on purpose: the broadcast from rank 0 must be what makes the weights equal.
    manual_seed(7 + (mpi?.Rank ?? 0));
    using var model = new Transformer(config);
    var rows = Rows(rowCount: batch * steps, seq);
    var data = DistributedMode.Shard(new InMemoryTokenBatches(rows, batch, seed: 11), parallel);
    var training = new TrainingOptions
    {
        MaxSteps = steps, WarmupSteps = 2, LearningRate = 3e-3, MinLrRatio = 0.1, EvalEvery = 1_000_000, CheckpointEvery = 1_000_000,
        LogEvery = 1_000_000, Threads = Get("threads", 1), GradClip = 1.0, Bf16 = o.ContainsKey("bf16"),
    };
    var trainer = new CausalLmTrainer(model, training, data, null, Path.Combine(outDir, $"train-{mpi?.Rank ?? 0}"))
    {
        DataParallel = parallel, Log = TextWriter.Null,
    };
    var clock = Stopwatch.StartNew();
    var summary = trainer.Run();
    var seconds = clock.Elapsed.TotalSeconds;
    var weights = model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
    var bytes = new byte[weights.Length * sizeof(float)];
    Buffer.BlockCopy(weights, 0, bytes, 0, bytes.Length);
    return new()
    {
        ["rank"] = mpi?.Rank ?? 0,
        ["size"] = mpi?.Size ?? 1,
        ["losses"] = summary.Losses,
        ["weights_sha256"] = Convert.ToHexString(SHA256.HashData(bytes)),
        ["weights_head"] = weights.Take(256).ToArray(),
        ["parameters"] = weights.Length,
        ["seconds"] = seconds,
        ["tokens_per_second"] = summary.TokensPerSecond,
        ["allreduce_seconds"] = parallel.AllReduceTime.TotalSeconds,
        ["allreduce_calls"] = parallel.AllReduceCalls,
    };
}

// The shape of PretrainJobTests' dataset: a repetitive text, character tokenizer, train + validation shards.
static void WriteDataset(string dir)
{
    const int seqLen = 16;
    var text = string.Concat(Enumerable.Range(0, 600).Select(i => $"the cat sat on mat {i % 7}. "));
    var tokenizer = DataFlow.Text.Tokenization.CharacterTokenizer.Train([text]);
    var tokenizerPath = Path.Combine(dir, "tokenizer.json");
    File.WriteAllText(tokenizerPath, tokenizer.ToJson());
    var ids = new List<int>();
    tokenizer.Encode(text, ids);
    var rows = InMemoryTokenBatches.Chunk(ids.ToArray(), seqLen);
    var shards = new List<DataFlow.Engine.Tokens.TokenShardInfo>();
    foreach (var (file, split, part) in new[] { ("train-00000.parquet", DataFlow.Engine.Tokens.TokenSplit.Train, rows[..^16]), ("validation-00000.parquet", DataFlow.Engine.Tokens.TokenSplit.Validation, rows[^16..]) })
    {
        using var writer = new DataFlow.Engine.Tokens.TokenShardWriter(Path.Combine(dir, file), seqLen);
        foreach (var row in part) writer.WriteRow(row);
        shards.Add(writer.Complete(file, split));
    }
    new DataFlow.Engine.Tokens.TokenDatasetManifest { Tokenizer = tokenizerPath, VocabSize = tokenizer.VocabSize, SeqLen = seqLen, EosId = tokenizer.EndOfTextId, Shards = shards }.Save(dir);
}

// A learnable stream (counting with jumps), cut into rows of seq + 1 tokens.
static int[][] Rows(int rowCount, int seq)
{
    var random = new Random(3);
    var stream = new int[rowCount * (seq + 1)];
    var value = 0;
    for (var i = 0; i < stream.Length; i++)
    {
        value = random.Next(10) == 0 ? random.Next(64) : (value + 1) % 64;
        stream[i] = value;
    }
    return InMemoryTokenBatches.Chunk(stream, seq);
}

static Dictionary<string, string> ParseOptions(string[] args)
{
    var result = new Dictionary<string, string>();
    for (var i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{args[i]}'");
        var key = args[i][2..];
        if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) result[key] = args[++i];
        else result[key] = "";
    }
    return result;
}
