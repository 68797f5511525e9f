using System.Diagnostics;
using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;

namespace DataFlow.Bench.Dedup;

/// <summary>Process CPU seconds and peak RSS (VmHWM, reset at each stage start) per stage, for one-worker bench runs.</summary>
internal sealed class StageCpuObserver : IExecutionObserver
{
    private TimeSpan _start;
    public List<(string Stage, double Seconds)> Seconds { get; } = [];

    public List<(string Stage, double PeakMb)> Peaks { get; } = [];

    public void StageStarted(StageDefinition stage, StageManifest manifest, int alreadyDone)
    {
        // Attribute peak memory to stages: drop the previous stage's garbage, then reset the kernel's high-water mark.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _start = Process.GetCurrentProcess().TotalProcessorTime;
    }

    public void StageFinished(StageDefinition stage, TaskStats stats, TimeSpan elapsed)
    {
        Seconds.Add((stage.Name, (Process.GetCurrentProcess().TotalProcessorTime - _start).TotalSeconds));
        Peaks.Add((stage.Name, PipelineBench.PeakRssMb()));
    }
}
