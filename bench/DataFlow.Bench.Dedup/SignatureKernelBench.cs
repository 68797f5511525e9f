using System.Diagnostics;
using System.Text;
using DataFlow.Text.Dedup;

namespace DataFlow.Bench.Dedup;

/// <summary>The signature kernel alone on one thread, text already in memory: normalization, shingles, MinHash, band hashes.</summary>
internal static class SignatureKernelBench
{
    public static void Run(string path, int split, MinHashOptions options)
    {
        var docs = BenchCorpus.Load(path, split);
        var bytes = docs.Sum(d => (long)Encoding.UTF8.GetByteCount(d.Text));
        Console.WriteLine($"{path}: {docs.Count:N0} docs, {bytes / 1e6:F1} MB of text (split {split})");
        {
            // Normalization and shingling only (no MinHash), to show where the time goes.
            var f = new DedupFingerprinter(options);
            for (var round = 0; round < 2; round++)
            {
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                long shingles = 0;
                foreach (var (_, text) in docs) shingles += f.Compute(text, Span<uint>.Empty, ExactMode.Off).Shingles;
                var seconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                if (round == 1) Console.WriteLine($"  normalize + shingle only: {bytes / 1e6 / seconds:F1} MB/s per core");
            }
        }
        foreach (var bits in new[] { 512, 256 })
        {
            var fingerprinter = new DedupFingerprinter(options, bits);
            var signature = new uint[options.NumPerm];
            ulong sink = 0;
            for (var round = 0; round < 2; round++)
            {
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                long shingles = 0;
                foreach (var (_, text) in docs)
                {
                    var fp = fingerprinter.Compute(text, signature);
                    shingles += fp.Shingles;
                    for (var b = 0; b < options.Bands; b++) sink ^= LshBands.BandHash(signature, b, options.Rows);
                    sink ^= (ulong)fp.ExactHash;
                }
                var seconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                if (round == 1)
                    Console.WriteLine($"  Vector{bits}: {bytes / 1e6 / seconds:F1} MB/s per core (CPU time) ({shingles / seconds / 1e6:F2} M shingles/s, {docs.Count / seconds:F0} docs/s) [{sink & 1}]");
            }
        }
    }
}
