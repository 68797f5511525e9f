using DataFlow.Engine.Documents;

namespace DataFlow.Tests.Engine;

/// <summary>The job model's promise: kill the process at any instant, rerun, and get exactly the uninterrupted output.</summary>
public class KillAndResumeTests
{
    private const string Pipeline = """
        workers: 2
        stages:
          - type: ingest
            input: in/*.jsonl
            tasks: 12
          - type: sample
            fraction: 0.7
            seed: 11
        """;

    [Fact]
    public void Killed_runs_resume_to_the_uninterrupted_output()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("in"));
        var random = new Random(42);
        for (var f = 0; f < 24; f++)
        {
            using var w = new StreamWriter(dir.File($"in/f{f:D2}.jsonl"));
            for (var i = 0; i < 3000; i++)
                w.WriteLine($"{{\"id\":\"f{f}-{i}\",\"text\":\"{new string((char)('a' + random.Next(26)), 200 + random.Next(300))} {i}\"}}");
        }
        File.WriteAllText(dir.File("p.yaml"), Pipeline);

        var reference = CliProcess.Run(dir.Path, "run", "p.yaml", "--run-dir", "runs/reference");
        Assert.True(reference.ExitCode == 0, reference.Stderr);

        var kills = 0;
        int DoneMarkers() => Directory.Exists(dir.File("runs/killed"))
            ? Directory.EnumerateFiles(dir.File("runs/killed"), "*.done", SearchOption.AllDirectories).Count() : 0;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var process = CliProcess.Start(dir.Path, "run", "p.yaml", "--run-dir", "runs/killed");
            // Kill once this attempt has completed another task, at a random moment inside the tasks that follow,
            // so the kill lands mid-run however fast the machine is.
            var before = DoneMarkers();
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (DoneMarkers() == before && !process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(5);
            Thread.Sleep(random.Next(0, 60));
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                kills++;
            }
            process.WaitForExit();
        }
        Assert.True(kills >= 2, $"only {kills} runs were killed mid-way; the test did not exercise resume");
        var final = CliProcess.Run(dir.Path, "run", "p.yaml", "--run-dir", "runs/killed");
        Assert.True(final.ExitCode == 0, final.Stderr);

        var expected = ReadStage(dir.File("runs/reference/stages/sample/out"));
        var actual = ReadStage(dir.File("runs/killed/stages/sample/out"));
        Assert.InRange(expected.Count, 40_000, 60_000);
        Assert.Equal(expected.Count, actual.Select(d => d.Id).Distinct().Count());
        Assert.Equal(expected, actual);
        Assert.Empty(Directory.EnumerateFiles(dir.File("runs/killed"), "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Ctrl_c_stops_cleanly_with_exit_code_130_and_a_rerun_resumes()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("in"));
        for (var f = 0; f < 24; f++)
        {
            using var w = new StreamWriter(dir.File($"in/f{f:D2}.jsonl"));
            for (var i = 0; i < 8000; i++) w.WriteLine($"{{\"id\":\"f{f}-{i}\",\"text\":\"{new string('x', 300)} {i}\"}}");
        }
        // One worker and a task per file: after the first task, 23 remain one after another (a second or more even on a
        // quiet machine), so the interrupt lands mid-run, not after a run that already finished.
        File.WriteAllText(dir.File("p.yaml"), Pipeline.Replace("workers: 2", "workers: 1").Replace("tasks: 12", "tasks: 24"));
        using var process = CliProcess.Start(dir.Path, "run", "p.yaml", "--run-dir", "r");
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        // Interrupt once the first task has finished, i.e. in the middle of the run.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!Directory.Exists(dir.File("r/stages/ingest/tasks")) || !Directory.EnumerateFiles(dir.File("r/stages/ingest/tasks"), "*.done").Any())
        {
            Assert.True(DateTime.UtcNow < deadline && !process.HasExited, "the run ended before it could be interrupted");
            Thread.Sleep(20);
        }
        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString()])) kill.WaitForExit();
        await process.WaitForExitAsync();
        Assert.Equal(130, process.ExitCode);
        Assert.Contains("rerun the same command to resume", await stderr);
        Assert.False(File.Exists(dir.File("r/stages/sample/stats.json")), "the run was not interrupted mid-way");
        // What a kill between writing and renaming the stage's merged stats leaves behind: the rerun must remove it.
        File.WriteAllText(dir.File("r/stages/ingest/stats.json.999999.tmp"), "{\"half\":");

        var rerun = CliProcess.Run(dir.Path, "run", "p.yaml", "--run-dir", "r");
        Assert.True(rerun.ExitCode == 0, rerun.Stderr);
        var reference = CliProcess.Run(dir.Path, "run", "p.yaml", "--run-dir", "reference");
        Assert.True(reference.ExitCode == 0, reference.Stderr);
        Assert.Equal(ReadStage(dir.File("reference/stages/sample/out")), ReadStage(dir.File("r/stages/sample/out")));
        Assert.Empty(Directory.EnumerateFiles(dir.File("r"), "*.tmp", SearchOption.AllDirectories));
    }

    private static List<(string Id, string Text)> ReadStage(string outDir) =>
        Directory.GetFiles(outDir, "part-*.parquet").Order(StringComparer.Ordinal)
            .SelectMany(f => DocumentSources.Read(f, ReadOptions.Default, new CollectingRejects()))
            .Select(d => (d.Id, d.Text)).ToList();
}
