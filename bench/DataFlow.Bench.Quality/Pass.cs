using System.Diagnostics;
using System.Text;
using DataFlow.Engine.Documents;

namespace DataFlow.Bench.Quality;

/// <summary>One timed pass over the documents: total wall time (reading included) and time inside the step alone.</summary>
internal sealed record Pass(string Name, long Docs, long Bytes, long Chars, double Seconds, double KernelSeconds, double CpuSeconds)
{
    public double Megabytes => Bytes / 1e6;
    public double MegabytesPerSecond => Megabytes / Seconds;
    public double KernelMegabytesPerSecond => KernelSeconds > 0 ? Megabytes / KernelSeconds : double.NaN;
    public double CpuMegabytesPerSecond => Megabytes / CpuSeconds;

    /// <summary>Streams the files (memory flat in corpus size); <paramref name="step"/> returns a drop reason or null.</summary>
    public static Pass Run(string name, IReadOnlyList<string> files, double maxMb, Func<string, string?> step,
        IDictionary<string, (long Docs, long Chars)>? reasons = null)
    {
        var rejects = new CountingRejects();
        long docs = 0, bytes = 0, chars = 0, kernelTicks = 0;
        var clock = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var file in files)
        {
            foreach (var doc in DocumentSources.Read(file, ReadOptions.Default, rejects))
            {
                var before = Stopwatch.GetTimestamp();
                var reason = step(doc.Text);
                kernelTicks += Stopwatch.GetTimestamp() - before;
                docs++;
                bytes += Encoding.UTF8.GetByteCount(doc.Text);
                chars += doc.Text.Length;
                if (reason is not null && reasons is not null)
                {
                    var (d, c) = reasons.TryGetValue(reason, out var v) ? v : (0, 0);
                    reasons[reason] = (d + 1, c + doc.Text.Length);
                }
                if (bytes / 1e6 >= maxMb) break;
            }
            if (bytes / 1e6 >= maxMb) break;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        Console.WriteLine($"  {name}: {docs} docs, {bytes / 1e6:F1} MB in {seconds:F2} s");
        return new Pass(name, docs, bytes, chars, seconds, kernelTicks / (double)Stopwatch.Frequency, cpu);
    }

    private sealed class CountingRejects : IRejectSink
    {
        public int Count { get; private set; }
        public void Reject(Reject reject) => Count++;
    }
}
