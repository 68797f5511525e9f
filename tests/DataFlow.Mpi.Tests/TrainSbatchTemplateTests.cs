using System.Diagnostics;
using System.Text.Json;

namespace DataFlow.Mpi.Tests;

/// <summary>jobs/slurm/train.sbatch really starts N MPI ranks under Slurm (srun --mpi=pmix) that train in lockstep.</summary>
public sealed class TrainSbatchTemplateTests
{
    [SlurmMpiFact]
    public void TemplateStartsTwoRanksThatEndWithIdenticalWeights()
    {
        var template = FindTemplate();
        var outDir = Path.Combine(Path.GetTempPath(), "dataflow-mpi-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(outDir);
        try
        {
            var harness = Path.Combine(AppContext.BaseDirectory, "DataFlow.Mpi.Harness.dll");
            var start = new ProcessStartInfo("sbatch") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "--wait", "--parsable", "--nodes=1", "--ntasks-per-node=2", "--cpus-per-task=1", $"--output={outDir}/slurm-%j.out", $"--chdir={outDir}", template })
                start.ArgumentList.Add(a);
            start.Environment["TRAIN_COMMAND"] = $"dotnet {harness} train {outDir} --batch 8 --steps 20";
            using var sbatch = Process.Start(start)!;
            var error = sbatch.StandardError.ReadToEndAsync();
            var jobId = sbatch.StandardOutput.ReadToEnd().Trim();
            Assert.True(sbatch.WaitForExit(TimeSpan.FromMinutes(4)), "sbatch --wait ran over 4 minutes");
            var log = Directory.EnumerateFiles(outDir, "slurm-*.out").Select(File.ReadAllText).FirstOrDefault() ?? "";
            Assert.True(sbatch.ExitCode == 0, $"job {jobId} exited {sbatch.ExitCode}: {error.Result}\n{log}");
            Assert.Contains("2 rank(s)", log);

            var ranks = Enumerable.Range(0, 2).Select(r => JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, $"rank-{r}.json"))).RootElement).ToList();
            Assert.All(ranks, r => Assert.Equal(2, r.GetProperty("size").GetInt32()));
            Assert.Equal(ranks[0].GetProperty("weights_sha256").GetString(), ranks[1].GetProperty("weights_sha256").GetString());
            Assert.Equal(20, ranks[0].GetProperty("losses").GetArrayLength());
        }
        finally
        {
            try { Directory.Delete(outDir, recursive: true); } catch (IOException) { }
        }
    }

    private static string FindTemplate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "jobs", "slurm", "train.sbatch");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("jobs/slurm/train.sbatch not found above " + AppContext.BaseDirectory);
    }
}
