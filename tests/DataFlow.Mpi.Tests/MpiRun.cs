using System.Diagnostics;
using System.Text.Json;

namespace DataFlow.Mpi.Tests;

/// <summary>Launches the harness as N ranks with mpirun and reads back each rank's JSON result.</summary>
public static class MpiRun
{
    /// <summary>CI sets DATAFLOW_REQUIRE_MPI=1 once it has installed Open MPI, so that MPI tests fail rather than skip when it is broken.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("DATAFLOW_REQUIRE_MPI") == "1";

    /// <summary>Why the MPI tests cannot run here (mpirun or libmpi.so.40 missing), or null when they can.</summary>
    public static string? Missing()
    {
        var mpirun = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);
        if (mpirun is null) return "mpirun is not installed (scripts/install-cluster-deps.sh)";
        var lib = new[] { "/usr/lib/x86_64-linux-gnu/libmpi.so.40", "/lib/x86_64-linux-gnu/libmpi.so.40", "/usr/lib/libmpi.so.40" }.Any(File.Exists);
        return lib ? null : "libmpi.so.40 (Open MPI 4) is not installed (scripts/install-cluster-deps.sh)";
    }

    /// <summary>Throws, naming what is missing, when a test that needs MPI runs without it (its fact did not skip: DATAFLOW_REQUIRE_MPI=1).</summary>
    public static void ThrowIfMissing()
    {
        if (Missing() is { } why) throw new InvalidOperationException($"this test needs Open MPI and DATAFLOW_REQUIRE_MPI=1 forbids skipping it, but {why}");
    }

    public static IReadOnlyList<JsonElement> Ranks(int ranks, params string[] harnessArgs)
    {
        ThrowIfMissing(); // a clear message rather than "cannot start process 'mpirun'"
        var outDir = Path.Combine(Path.GetTempPath(), "dataflow-mpi-tests", Guid.NewGuid().ToString("N")[..12]);
        var harness = Path.Combine(AppContext.BaseDirectory, "DataFlow.Mpi.Harness.dll");
        var start = new ProcessStartInfo("mpirun") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // As root (CI containers) Open MPI needs --allow-run-as-root; TERM=dumb keeps .NET's console quiet in every rank.
        string[] args = ["--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(), "-x", "TERM=dumb", "dotnet", harness, harnessArgs[0], outDir, .. harnessArgs[1..]];
        foreach (var a in args) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("mpirun ran over 3 minutes");
            }
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"mpirun exited {process.ExitCode}\n{output.Result}\n{error.Result}");
            return Enumerable.Range(0, ranks)
                .Select(r => JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, $"rank-{r}.json"))).RootElement.Clone())
                .ToList();
        }
        finally
        {
            try { Directory.Delete(outDir, recursive: true); } catch (IOException) { }
        }
    }
}
