using System.Diagnostics;
using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;

namespace DataFlow.Bench.Dedup;

/// <summary>
/// The whole four-stage dedup through the engine with one worker thread, as `dataflow dedup` runs it. CPU time
/// of the process is taken per stage, so MB/s per core holds on a loaded machine where wall time does not.
/// </summary>
internal static class PipelineBench
{
    /// <param name="passes">Runs of the whole pipeline in this process, each in a fresh folder; from the second on,
    /// no method is compiled for the first time, so the figures are the steady state a long task reaches.</param>
    public static void Run(string inputGlob, string workDir, int tasks, string extraKeys, int passes = 1)
    {
        for (var pass = 1; pass <= passes; pass++)
        {
            if (passes > 1) Console.WriteLine($"pass {pass} of {passes}{(pass == 1 ? " (first-time JIT included)" : " (steady state)")}");
            RunOnce(inputGlob, passes > 1 ? Path.Combine(workDir, $"pass{pass}") : workDir, tasks, extraKeys);
        }
    }

    private static void RunOnce(string inputGlob, string workDir, int tasks, string extraKeys)
    {
        if (Directory.Exists(workDir)) Directory.Delete(workDir, recursive: true);
        Directory.CreateDirectory(workDir);
        var session = OneStagePipeline.Create(workDir, "dedup", "run",
            ["type: dedup", $"input: '{inputGlob}'", $"tasks: {tasks}", $"output: '{Path.Combine(workDir, "out")}'", "keep_removed: true"], extraKeys);
        var observer = new StageCpuObserver();
        var wall = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        new LocalExecutor(1, observer).Run(session.Run, session.Pipeline, CancellationToken.None);
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        var input = TaskStats.Load(session.Run.StageStatsFile(session.Pipeline.Stages[0].Name)).Counter("bytes_in");
        var mb = input / 1e6;
        Console.WriteLine($"input {mb:F1} MB of text, {tasks} task(s), one worker thread");
        Console.WriteLine("| stage | CPU s | MB/s per core | peak RSS MB |\n| --- | --- | --- | --- |");
        for (var i = 0; i < observer.Seconds.Count; i++)
            Console.WriteLine($"| {observer.Seconds[i].Stage} | {observer.Seconds[i].Seconds:F2} | {mb / observer.Seconds[i].Seconds:F1} | {observer.Peaks[i].PeakMb:F0} |");
        var peak = observer.Peaks.Max(p => p.PeakMb);
        Console.WriteLine($"| whole dedup | {cpu:F2} | {mb / cpu:F1} | {peak:F0} |");
        Console.WriteLine($"wall {wall.Elapsed.TotalSeconds:F1}s; peak RSS {peak:F0} MB for {mb / 1000:F2} GB of input");
        var filter = TaskStats.Load(session.Run.StageStatsFile("dedup"));
        if (!File.Exists(session.Run.StageStatsFile("dedup.clusters")))
        {
            // Sentence dedup alone (sentences: N, exact and minhash off).
            Console.WriteLine($"docs in {filter.Counter("docs_in")}, out {filter.Counter("docs_out")}; " +
                string.Join(", ", filter.Counters.Where(kv => kv.Key.StartsWith("sentence_dedup")).Select(kv => $"{kv.Key}: {kv.Value}")));
            return;
        }
        var clusters = TaskStats.Load(session.Run.StageStatsFile("dedup.clusters"));
        Console.WriteLine($"docs in {filter.Counter("docs_in")}, out {filter.Counter("docs_out")}; removed exact {clusters.Counter("removed_exact")}, near {clusters.Counter("removed_near")}; " +
            $"candidate pairs {clusters.Counter("candidate_pairs")} ({clusters.Counter("candidate_pairs_rejected")} rejected by verification); " +
            $"bytes saved {(clusters.Counter("bytes_saved_exact") + clusters.Counter("bytes_saved_near")) / 1e6:F1} MB");
        Console.WriteLine("cluster sizes: " + string.Join(", ", clusters.Counters.Where(kv => kv.Key.StartsWith("clusters_of.")).Select(kv => $"{kv.Key[12..]}: {kv.Value}")));
        // The bench corpus carries its planted duplicates: score the pipeline's own output against them.
        var truth = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(inputGlob)!)!, "corpus.truth.jsonl");
        if (File.Exists(truth)) PlantedRecall.Print(session.Run, truth, Path.Combine(workDir, "out", "removed"));
        Console.WriteLine("datatrove 0.10 on this machine (shared/README.md, bench corpus): signatures 2.3 MB/s, whole 4-stage 2.1 MB/s per core");
    }

    /// <summary>VmHWM: the most resident memory this process ever had.</summary>
    public static double PeakRssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        return double.NaN;
    }
}
