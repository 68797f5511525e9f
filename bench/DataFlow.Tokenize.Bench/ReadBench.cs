using System.Diagnostics;
using DataFlow.Engine.Tokens;

namespace DataFlow.Tokenize.Bench;

/// <summary>How fast the trainer's reader serves rows: a sequential pass, then shuffled batches as training draws them.</summary>
internal static class ReadBench
{
    public static int Run(string[] args)
    {
        string Arg(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        var dir = Arg("--dataset", "");
        if (!File.Exists(TokenDatasetManifest.PathIn(dir)))
        {
            Console.Error.WriteLine("read needs --dataset DIR (a folder written by `dataflow tokenize`)");
            return 2;
        }
        var batch = int.Parse(Arg("--batch", "16"));
        var cacheBytes = long.Parse(Arg("--cache-mb", "256")) << 20;
        using var dataset = TokenShardDataset.Open(dir, TokenSplit.Train, cacheBytes);
        Console.WriteLine($"# read {dir}: {dataset.RowCount:N0} rows of {dataset.RowLength} tokens, cache {cacheBytes >> 20} MiB, batch {batch}");
        var row = new int[dataset.RowLength];

        var clock = Stopwatch.StartNew();
        for (long r = 0; r < dataset.RowCount; r++) dataset.ReadRow(r, row);
        Report("sequential, first pass (decode every row group)", dataset.RowCount, dataset.RowLength, clock.Elapsed.TotalSeconds);

        var blockRows = int.Parse(Arg("--block-rows", "1"));
        var windowBlocks = int.Parse(Arg("--window-blocks", "1"));
        var sampler = new TokenBatchSampler(dataset.RowCount, batch, seed: 1, blockRows: blockRows, windowBlocks: windowBlocks);
        var rows = new long[batch];
        var tokens = new int[batch * dataset.RowLength];
        var steps = Math.Min(sampler.StepsPerEpoch, 2000);
        clock.Restart();
        for (var s = 0; s < steps; s++)
        {
            sampler.NextBatch(rows);
            dataset.ReadRows(rows, tokens);
        }
        Report($"shuffled batches ({steps} steps, blocks {blockRows} x window {windowBlocks})", steps * batch, dataset.RowLength, clock.Elapsed.TotalSeconds);
        return 0;
    }

    private static void Report(string what, long rows, int rowLength, double seconds) =>
        Console.WriteLine($"{what,-50} {rows / seconds,12:N0} rows/s  {rows * rowLength / seconds / 1e6,8:F1} M tokens/s");
}
