using System.Globalization;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs.Dedup;

namespace DataFlow.Jobs;

/// <summary>
/// What <c>dataflow run --plan-only</c> prints: every stage's tasks and output files from its manifest and, for a
/// corpus of a stated size, the memory and disk estimates of the dedup stages (<see cref="DedupCapacity"/>).
/// </summary>
public static class PlanReport
{
    public static void Write(RunSession session, TextWriter output, long? documents, long bytesPerDocument, double duplicateShare)
    {
        var planner = session.Planner();
        output.WriteLine($"{"stage",-28} {"type",-10} {"tasks",8} {"files",10}");
        foreach (var stage in session.Pipeline.Stages)
        {
            var manifest = planner.Manifest(stage.Name);
            output.WriteLine($"{stage.Name,-28} {stage.Type,-10} {manifest.Tasks.Count,8:N0} {manifest.AllOutputs.LongCount(),10:N0}");
        }
        foreach (var stage in session.Pipeline.Stages)
        {
            if (stage.Job is not MinHashSignatureJob signatures) continue;
            if (documents is not { } docs)
            {
                output.WriteLine($"{stage.Name}: pass --docs N (and --doc-bytes, --duplicate-share) for memory and disk estimates");
                continue;
            }
            var tasks = planner.Manifest(stage.Name).Tasks.Count;
            var capacity = new DedupCapacity(signatures.Options, docs, bytesPerDocument, tasks, duplicateShare);
            var name = stage.Name[..stage.Name.LastIndexOf('.')];
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: estimates for {docs:N0} documents of {bytesPerDocument:N0} bytes, {duplicateShare:P0} of them in duplicate pairs"));
            output.WriteLine($"{"stage",-28} {"tasks",8} {"files",10} {"memory/task",12} {"disk written",14}");
            foreach (var e in capacity.Stages())
                output.WriteLine($"{(e.Stage == "filter" ? name : name + "." + e.Stage),-28} {e.Tasks,8:N0} {e.Files,10:N0} {Size(e.MemoryPerTask),12} {Size(e.DiskBytes),14}");
        }
    }

    /// <summary>Bytes in binary units with three significant digits: 512 B, 1.50 GiB.</summary>
    public static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1) { value /= 1024; unit++; }
        return unit == 0 ? $"{bytes} B" : value.ToString(value >= 100 ? "F0" : value >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
