using System.Diagnostics;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;

namespace DataFlow.Bench.Dedup;

/// <summary>
/// Incremental dedup against recomputing, in one process with one worker thread: (1) the old batch with
/// write_index, (2) the new batch against that index, (3) old + new from scratch. CPU seconds and peak RSS of
/// each run, the index size, and a check that (2) removed exactly the new documents that (3) removed (inputs
/// are read in one task each, old before new, so keep: first means the same in both).
/// </summary>
internal static class IncrementalBench
{
    public static void Run(string oldGlob, string newGlob, string workDir, string extraKeys)
    {
        if (Directory.Exists(workDir)) Directory.Delete(workDir, recursive: true);
        Directory.CreateDirectory(workDir);
        var index = Path.Combine(workDir, "index");
        var old = Dedup(workDir, "old", [oldGlob], $"write_index: '{index}';{extraKeys}");
        var inc = Dedup(workDir, "new", [newGlob], $"against: '{index}';{extraKeys}");
        var all = Dedup(workDir, "all", [oldGlob, newGlob], extraKeys);
        var indexBytes = Directory.GetFiles(index).Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"index of {old.Docs:N0} documents ({old.Mb:F1} MB of text): {indexBytes / 1e6:F1} MB, {indexBytes / (double)old.Docs:F0} B per document");
        Console.WriteLine("| run | documents | MB of text | CPU s | peak RSS MB | removed |\n| --- | --- | --- | --- | --- | --- |");
        foreach (var (name, r) in new[] { ("old batch + write_index", old), ("new batch against the index", inc), ("old + new from scratch", all) })
            Console.WriteLine($"| {name} | {r.Docs:N0} | {r.Mb:F1} | {r.Cpu:F2} | {r.PeakMb:F0} | {r.Removed.Count:N0} |");
        var newIds = inc.Kept.Union(inc.Removed).ToHashSet();
        var same = all.Removed.Where(newIds.Contains).ToHashSet().SetEquals(inc.Removed);
        Console.WriteLine($"new documents removed: incremental {inc.Removed.Count:N0}, from scratch {all.Removed.Count(newIds.Contains):N0}; same set: {same}");
        Console.WriteLine($"old documents removed only from scratch (new documents joined two old clusters; already published, so incremental keeps them): {all.Removed.Count(id => !newIds.Contains(id)) - old.Removed.Count:N0}");
    }

    private sealed record Result(long Docs, double Mb, double Cpu, double PeakMb, HashSet<string> Kept, HashSet<string> Removed);

    private static Result Dedup(string workDir, string name, IReadOnlyList<string> inputs, string keys)
    {
        var output = Path.Combine(workDir, name + "-out");
        var session = OneStagePipeline.Create(workDir, name, name,
            ["type: dedup", $"input: [{string.Join(", ", inputs.Select(i => $"'{i}'"))}]", "tasks: 1", $"output: '{output}'", "keep_removed: true"], keys);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        new LocalExecutor(1).Run(session.Run, session.Pipeline, CancellationToken.None);
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        var peak = PipelineBench.PeakRssMb();
        var signatures = TaskStats.Load(session.Run.StageStatsFile("dedup.signatures"));
        return new Result(signatures.Counter("docs_in"), signatures.Counter("bytes_in") / 1e6, cpu, peak, Ids(output), Ids(Path.Combine(output, "removed")));
    }

    private static HashSet<string> Ids(string dir) =>
        Directory.GetFiles(dir, "part-*.parquet").SelectMany(f => ParquetDocumentReader.Read(f, ReadOptions.Default with { KeepMetadata = false }, new ThrowingRejects()))
            .Select(d => d.Id).ToHashSet();
}
