using System.Diagnostics;
using System.Text;
using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using DataFlow.Jobs.Dedup;
using DataFlow.Text.Substring;

namespace DataFlow.Bench.Dedup;

/// <summary>
/// Substring dedup: the window suffix array and SA-IS side by side on the first N MB of a corpus (CPU seconds, peak RSS
/// against the text size),
/// and the three stages end to end through the engine with one worker thread, as `dataflow dedup --substring` runs them.
/// </summary>
internal static class SubstringBench
{
    public static void Kernel(string corpus, int megabytes, int minTokens, string only)
    {
        var text = new List<byte>();
        foreach (var (_, body) in BenchCorpus.Load(corpus, 5000))
        {
            text.AddRange(Encoding.UTF8.GetBytes(body));
            text.Add(0xFF);
            if (text.Count >= megabytes * 1_000_000) break;
        }
        var bytes = text.ToArray();
        text = null;
        var mb = bytes.Length / 1e6;
        // Side by side in one process: the peak RSS is reset between the two (clear_refs 5), each keeps what it builds.
        if (only is "" or "window")
            Measure("window suffix array", mb, () =>
            {
                long windows = 0, flagged = 0;
                WindowSuffixArray.Build(bytes, minTokens, 0xFF, SuffixArrayJob.BucketEntries(bytes.Length), bucket =>
                {
                    windows += bucket.Length;
                    foreach (var s in bucket) flagged += s.SameAsPrevious ? 1 : 0;
                });
                return $"{windows} windows of {minTokens} bytes, {flagged} equal to the previous";
            });
        if (only is "" or "sais")
            Measure("SA-IS", mb, () =>
            {
                var sa = new int[bytes.Length];
                SuffixArray.Build(bytes, sa);
                return $"sa[0..3] = {sa[0]},{sa[1]},{sa[2]}";
            });
    }

    private static void Measure(string name, double mb, Func<string> build)
    {
        GC.Collect();
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        var before = PipelineBench.PeakRssMb();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var what = build();
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        var peak = PipelineBench.PeakRssMb();
        Console.WriteLine($"{name} {mb:F1} MB: {cpu:F2} CPU s, {mb / cpu:F1} MB/s per core; peak RSS {peak:F0} MB = {peak / mb:F2}x the text (text + runtime before: {before:F0} MB); {what}");
    }

    public static void Pipeline(string inputGlob, string workDir, int tasks, string extraKeys)
    {
        if (Directory.Exists(workDir)) Directory.Delete(workDir, recursive: true);
        Directory.CreateDirectory(workDir);
        var session = OneStagePipeline.Create(workDir, "substring", "run",
            ["type: substring_dedup", "name: substring", $"input: '{inputGlob}'", $"tasks: {tasks}", $"output: '{Path.Combine(workDir, "out")}'"], extraKeys);
        var observer = new StageCpuObserver();
        var wall = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        new LocalExecutor(1, observer).Run(session.Run, session.Pipeline, CancellationToken.None);
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        var suffixes = TaskStats.Load(session.Run.StageStatsFile("substring.suffixes"));
        var mb = suffixes.Counter("bytes_in") / 1e6;
        var part = mb / tasks;
        Console.WriteLine($"input {mb:F1} MB of text, {tasks} part(s) of ~{part:F0} MB, one worker thread");
        Console.WriteLine("| stage | CPU s | MB/s per core | peak RSS MB | RSS / part |\n| --- | --- | --- | --- | --- |");
        for (var i = 0; i < observer.Seconds.Count; i++)
            Console.WriteLine($"| {observer.Seconds[i].Stage} | {observer.Seconds[i].Seconds:F2} | {mb / observer.Seconds[i].Seconds:F1} | {observer.Peaks[i].PeakMb:F0} | {observer.Peaks[i].PeakMb / part:F2} |");
        var peak = observer.Peaks.Max(p => p.PeakMb);
        Console.WriteLine($"| whole substring dedup | {cpu:F2} | {mb / cpu:F1} | {peak:F0} | {peak / part:F2} |");
        Console.WriteLine($"wall {wall.Elapsed.TotalSeconds:F1}s; window sort and write alone {suffixes.Values.GetValueOrDefault("seconds_suffix_array"):F1} s");
        var filter = TaskStats.Load(session.Run.StageStatsFile("substring"));
        var matches = TaskStats.Load(session.Run.StageStatsFile("substring.matches"));
        var disk = Directory.GetFiles(Path.Combine(workDir, "run"), "*.bin", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"windows {matches.Counter("windows")}, repeated {matches.Counter("repeated_windows")}, marked {matches.Counter("marked_windows")}; " +
            $"docs {filter.Counter("docs_in")} in, {filter.Counter("docs_out")} out, {filter.Counter("substring.docs_touched")} touched, " +
            $"{filter.Counter("dropped.substring_too_short")} dropped; {filter.Counter("substring.spans")} spans, {filter.Counter("substring.bytes_removed") / 1e6:F1} MB removed " +
            $"({100.0 * filter.Counter("substring.bytes_removed") / filter.Counter("bytes_in"):F1}%); intermediate files {disk / 1e6:F0} MB");
    }
}
