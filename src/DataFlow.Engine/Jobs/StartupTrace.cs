using System.Diagnostics;
using System.Runtime;

namespace DataFlow.Engine.Jobs;

/// <summary>
/// Start-up timing for process-per-task executors (Slurm arrays, mpirun): with <c>DATAFLOW_STARTUP_TRACE=1</c> each
/// <see cref="Mark"/> writes one stderr line with the wall and CPU seconds since the process started and the methods
/// the JIT compiled so far and the assemblies loaded, e.g.
/// <c>startup: first-document wall 0.212 s cpu 0.118 s jit 412 methods 0.031 s assemblies 41</c>.
/// Off (the default) a mark costs one cached flag test.
/// </summary>
public static class StartupTrace
{
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("DATAFLOW_STARTUP_TRACE") is "1" or "true";

    public static void Mark(string what)
    {
        if (!Enabled) return;
        using var self = Process.GetCurrentProcess();
        var wall = DateTime.Now - self.StartTime; // /proc start time: jiffy (10 ms) resolution
        var cpu = Environment.CpuUsage.TotalTime; // getrusage: microseconds
        Console.Error.WriteLine($"startup: {what} wall {wall.TotalSeconds:F3} s cpu {cpu.TotalSeconds:F3} s " +
            $"jit {JitInfo.GetCompiledMethodCount()} methods {JitInfo.GetCompilationTime().TotalSeconds:F3} s assemblies {AppDomain.CurrentDomain.GetAssemblies().Length}");
    }
}
