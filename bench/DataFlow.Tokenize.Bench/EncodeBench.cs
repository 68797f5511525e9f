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

    public static void Compare(string vocabulary, List<string> texts, long bytes, (string Name, Func<string, int[]> Encode)[] encoders)
    {
        Console.WriteLine($"## vocabulary {vocabulary}");
        var results = new List<(string Name, double MBps, long Tokens)>();
        int[][]? reference = null;
        foreach (var (name, encode) in encoders)
        {
            foreach (var text in texts.Take(3)) encode(text); // JIT and caches warm-up
            var output = new int[texts.Count][];
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < texts.Count; i++) output[i] = encode(texts[i]);
            var seconds = clock.Elapsed.TotalSeconds;
            process.Refresh();
            // CPU seconds, not wall: the build machine is shared, and CPU time is what "per core" means.
            var cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
            var tokens = output.Sum(o => (long)o.Length);
            var mismatches = reference is null ? 0 : Enumerable.Range(0, texts.Count).Count(i => !output[i].AsSpan().SequenceEqual(reference[i]));
            reference ??= output;
            results.Add((name, bytes / 1e6 / cpuSeconds, tokens));
            Console.WriteLine($"{name,-45} {bytes / 1e6 / cpuSeconds,7:F2} MB/s per CPU-second ({bytes / 1e6 / seconds,6:F2} wall)  {tokens,12:N0} tokens  docs differing from first: {mismatches}");
        }
        for (var i = 1; i < results.Count; i++)
            Console.WriteLine($"ratio {results[0].Name} / {results[i].Name}: {results[0].MBps / results[i].MBps:F2}x");
    }
}
