using System.Diagnostics;
using System.Text;
using DataFlow.Text.Dedup;
using DataFlow.Text.Normalization;

namespace DataFlow.Bench.Dedup;

/// <summary>The sentence-span kernel alone on one thread, text in memory: splitting, then splitting + normalizing + hashing.</summary>
internal static class SentenceKernelBench
{
    public static void Run(string path, int sentencesPerSpan)
    {
        var docs = BenchCorpus.Load(path, 0);
        var bytes = docs.Sum(d => (long)Encoding.UTF8.GetByteCount(d.Text));
        Console.WriteLine($"{path}: {docs.Count:N0} docs, {bytes / 1e6:F1} MB of text");
        var sentences = new List<TextRange>();
        var kernel = new SentenceSpans(sentencesPerSpan);
        var spans = new List<(int, ulong)>();
        for (var round = 0; round < 3; round++)
        {
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            long count = 0;
            foreach (var (_, text) in docs)
            {
                SentenceSplitter.Spans(text, sentences);
                count += sentences.Count;
            }
            var split = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            long hashed = 0;
            foreach (var (_, text) in docs)
            {
                spans.Clear();
                kernel.Compute(text, spans);
                hashed += spans.Count;
            }
            var all = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            if (round == 2)
                Console.WriteLine($"  split: {bytes / 1e6 / split:F1} MB/s per core ({count:N0} sentences); split + normalize + hash: {bytes / 1e6 / all:F1} MB/s per core ({hashed:N0} spans)");
        }
    }
}
