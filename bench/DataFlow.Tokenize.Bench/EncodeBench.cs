using System.Diagnostics;
using DataFlow.Text.Tokenization;

namespace DataFlow.Tokenize.Bench;

/// <summary>Times encoders side by side on the same documents and checks they give the same ids.</summary>
internal static class EncodeBench
{
    public static Func<string, int[]> Library(ITextTokenizer tokenizer) => text =>
    {
        var ids = new List<int>();
        tokenizer.Encode(text, ids);
        return [.. ids];
    };

    public static Func<string, int[]> HuggingFace(string tokenizerJson)
    {
        var tokenizer = new Tokenizers.DotNet.Tokenizer(tokenizerJson);
        return text => Array.ConvertAll(tokenizer.Encode(text), id => (int)id);
    }

    /// <summary>
    /// Each encoder encodes the documents twice after a 3-document warm-up: the first pass pays JIT tiering and fills the
    /// encoder's caches (what a short task sees), the second is the steady state of a long one. MB/s are per CPU-second.
    /// </summary>
    public static void Compare(string vocabulary, List<string> texts, long bytes, (string Name, Func<string, int[]> Encode)[] encoders)
    {
        Console.WriteLine($"## vocabulary {vocabulary}");
        var results = new List<(string Name, double First, double Second)>();
        int[][]? reference = null;
        foreach (var (name, encode) in encoders)
        {
            foreach (var text in texts.Take(3)) encode(text); // JIT and caches warm-up
            var (first, firstWall, output) = Pass(texts, bytes, encode);
            var (second, _, _) = Pass(texts, bytes, encode);
            var tokens = output.Sum(o => (long)o.Length);
            var mismatches = reference is null ? 0 : Enumerable.Range(0, texts.Count).Count(i => !output[i].AsSpan().SequenceEqual(reference[i]));
            reference ??= output;
            results.Add((name, first, second));
            Console.WriteLine($"{name,-52} first pass {first,6:F2} MB/s per CPU-second ({firstWall,6:F2} wall), second pass {second,6:F2}  {tokens,12:N0} tokens  docs differing from ours: {mismatches}");
        }
        for (var i = 1; i < results.Count; i++)
            Console.WriteLine($"ratio ours / {results[i].Name}: first pass {results[0].First / results[i].First:F2}x, second pass {results[0].Second / results[i].Second:F2}x");
    }

    private static (double MBps, double WallMBps, int[][] Output) Pass(List<string> texts, long bytes, Func<string, int[]> encode)
    {
        var output = new int[texts.Count][];
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < texts.Count; i++) output[i] = encode(texts[i]);
        var seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        // CPU seconds, not wall: the build machine is shared, and CPU time is what "per core" means.
        var cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        return (bytes / 1e6 / cpuSeconds, bytes / 1e6 / seconds, output);
    }
}
