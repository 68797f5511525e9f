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

    [SlurmMpiFact]
    public void TemplateRunsSftOnTwoRanksFromOneCommandLine()
    {
        // `sbatch jobs/slurm/train.sbatch sft --config FILE`: the template appends --distributed mpi on every rank.
        var template = FindTemplate();
        var outDir = Path.Combine(Path.GetTempPath(), "dataflow-mpi-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(outDir);
        try
        {
            var random = new Random(4);
            var data = Path.Combine(outDir, "tasks.jsonl");
            File.WriteAllLines(data, Enumerable.Range(0, 60).Select(_ => DataFlow.Text.Chat.VerifiableTasks.Generate(random))
                .Select(e => JsonSerializer.Serialize(new { prompt = e.Prompt, completion = e.Answer })));
            var config = Path.Combine(outDir, "sft.yaml");
            File.WriteAllText(config, $"""
                train: ['{data}']
                output: '{Path.Combine(outDir, "sft")}'
                model: {"{"} vocab_size: 262, dim: 32, layers: 2, heads: 4, context_length: 64 {"}"}
                max_steps: 6
                batch_size: 4
                warmup_steps: 1
                log_every: 1
                sample_count: 2
                threads: 1
                """);
            var start = new ProcessStartInfo("sbatch") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "--wait", "--parsable", "--nodes=1", "--ntasks-per-node=2", "--cpus-per-task=1", $"--output={outDir}/slurm-%j.out", $"--chdir={outDir}", template, "sft", "--config", config })
                start.ArgumentList.Add(a);
            start.Environment["DATAFLOW"] = $"dotnet {Path.Combine(AppContext.BaseDirectory, "dataflow.dll")}";
            using var sbatch = Process.Start(start)!;
            var error = sbatch.StandardError.ReadToEndAsync();
            var jobId = sbatch.StandardOutput.ReadToEnd().Trim();
            Assert.True(sbatch.WaitForExit(TimeSpan.FromMinutes(4)), "sbatch --wait ran over 4 minutes");
            var log = Directory.EnumerateFiles(outDir, "slurm-*.out").Select(File.ReadAllText).FirstOrDefault() ?? "";
            Assert.True(sbatch.ExitCode == 0, $"job {jobId} exited {sbatch.ExitCode}: {error.Result}\n{log}");
            Assert.Contains("sft: data parallel over 2 MPI ranks, 2 of 4 rows per rank", log);
            Assert.Contains("replicas of 2 ranks differ by at most 0 ", log);
            Assert.Equal(6, File.ReadLines(Path.Combine(outDir, "sft", "metrics.jsonl")).Count(l => l.Contains("\"loss\"")));
            Assert.True(File.Exists(Path.Combine(outDir, "sft", "final", "model.safetensors")), log);
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
