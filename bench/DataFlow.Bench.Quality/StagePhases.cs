using System.Diagnostics;
using DataFlow.Engine.Documents;
using DataFlow.Text.Normalization;
using DataFlow.Text.Quality;

namespace DataFlow.Bench.Quality;

/// <summary>
/// The quality stage's per-document path taken apart (<c>--stage</c>): each pass adds one phase to the one before
/// (read; the text decoded; normalization + rules; the kept text built; kept documents written to a Parquet shard),
/// so the CPU time of a phase is the difference between two rows. Passes run twice, interleaved, after a warm-up.
/// </summary>
internal static class StagePhases
{
    private static readonly string[] Names =
        ["stage: read", "stage: + decode text", "stage: + normalize + rules", "stage: + kept text", "stage: + write shard"];

    public static IReadOnlyList<Pass> Run(IReadOnlyList<string> files, Func<QualityRuleChain> chains, double maxMb)
    {
        var passes = new List<Pass>();
        var output = Path.Combine(Path.GetTempPath(), $"quality-bench-{Environment.ProcessId}.parquet");
        try
        {
            Once("stage: warm-up", files, chains(), Math.Min(maxMb, 8), Names.Length - 1, output);
            for (var round = 0; round < 2; round++)
                for (var phase = 0; phase < Names.Length; phase++)
                    passes.Add(Once(round == 0 ? Names[phase] : Names[phase] + " (again)", files, chains(), maxMb, phase, output));
        }
        finally
        {
            File.Delete(output);
        }
        return passes;
    }

    private static Pass Once(string name, IReadOnlyList<string> files, QualityRuleChain chain, double maxMb, int phases, string output)
    {
        var normalizer = new TextNormalizer();
        var rewrites = new List<string>();
        var rejects = new Rejects();
        long docs = 0, bytes = 0, chars = 0;
        var clock = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        using (var writer = phases >= 4 ? new DocumentShardWriter(output, [ExtraColumn.String("language"), ExtraColumn.Double("language_score")]) : null)
        {
            foreach (var file in files)
            {
                foreach (var doc in DocumentSources.Read(file, ReadOptions.Default, rejects))
                {
                    docs++;
                    bytes += doc.TextUtf8Length;
                    if (phases >= 1) chars += doc.Text.Length;
                    if (phases >= 2)
                    {
                        var original = doc.Text;
                        var (verdict, analyzed) = chain.Check(normalizer.Normalize(original));
                        if (verdict.IsKept && phases >= 3)
                        {
                            rewrites.Clear();
                            var kept = KeptText.Of(original, analyzed, normalizer, rewrites);
                            if (!ReferenceEquals(kept, original)) doc.Text = kept;
                            if (writer is not null)
                            {
                                _ = doc.TextUtf8Length;
                                writer.Write(doc);
                            }
                        }
                    }
                    if (bytes / 1e6 >= maxMb) break;
                }
                if (bytes / 1e6 >= maxMb) break;
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        Console.WriteLine($"  {name}: {docs} docs, {bytes / 1e6:F1} MB in {seconds:F2} s");
        return new Pass(name, docs, bytes, chars, seconds, 0, cpu);
    }

    private sealed class Rejects : IRejectSink
    {
        public void Reject(Reject reject) { }
    }
}
