using DataFlow.Trainer.Checkpoints;
using System.Diagnostics;
using System.Text.Json;
using DataFlow.Engine.Execution.Slurm;
using DataFlow.Engine.Jobs;
using DataFlow.Trainer.Sft;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit.Abstractions;

namespace DataFlow.Mpi.Tests;

/// <summary>
/// A pipeline's training stage with <c>resources: {ranks: 2}</c>: the executor starts its task as 2 MPI ranks
/// (<c>dataflow run</c>: mpirun; <c>dataflow submit --executor slurm</c>: srun --mpi=pmix in the array element), which
/// train like the same stage with ranks: 1 in the same run (same per-step losses and final weights), and rank 0 alone
/// commits the task (one summary, one marker, one stats file, no temporaries).
/// </summary>
public sealed class PipelineStageRanksTests(ITestOutputHelper output)
{
    [MpiFact]
    public void LocalExecutorRunsATwoRankStageUnderMpirunLikeOneRank()
    {
        using var dir = new TempDir();
        var run = dir.File("run");
        var result = Dataflow(dir.Path, "run", WritePipeline(dir), "--run-dir", run);
        Assert.True(result.Exit == 0, result.Text);
        AssertTwoRanksTrainedLikeOne(new RunFolder(run));
    }

    [MpiFact]
    public void TwoRankStageKilledMidTrainingResumesFromItsCheckpoint()
    {
        using var dir = new TempDir();
        var run = new RunFolder(dir.File("run"));
        // One checkpoint halfway (keep_last 1), so the rerun must resume from step 20.
        var pipeline = WritePipeline(dir, steps: 40, saveEvery: 20);
        // Kill `dataflow run` (and with it mpirun and both ranks) once sft_two has written its checkpoint.
        var store = new CheckpointStore(Path.Combine(Out(run, "sft_two"), CheckpointStore.FolderName));
        using (var first = Start(dir.Path, "run", pipeline, "--run-dir", run.Root))
        {
            var clock = Stopwatch.StartNew();
            while (store.Latest() is null && !first.HasExited && clock.Elapsed < TimeSpan.FromMinutes(4)) Thread.Sleep(20);
            Assert.True(store.Latest() is not null, "sft_two wrote no checkpoint before `dataflow run` ended");
            first.Kill(entireProcessTree: true);
            first.WaitForExit();
        }
        Assert.False(run.IsDone("sft_two", 0), "killed too late: sft_two had already completed");

        var result = Dataflow(dir.Path, "run", pipeline, "--run-dir", run.Root);
        Assert.True(result.Exit == 0, result.Text);
        var resumed = File.ReadAllText(Path.Combine(Out(run, "sft_two"), "summary.json"));
        Assert.Matches(@"sft: resumed from \S+ at step 20\b", resumed);
        AssertTwoRanksTrainedLikeOne(run, steps: 40);
    }

    [MpiFact]
    public void LocalExecutorRunsATwoRankPretrainStageLikeOneRank()
    {
        using var dir = new TempDir();
        var data = dir.File("tokens");
        Directory.CreateDirectory(data);
        Exec("dotnet", Path.Combine(AppContext.BaseDirectory, "DataFlow.Mpi.Harness.dll"), "write-dataset", data);
        string Stage(string name, string resources) => $$"""
              - type: pretrain
                name: {{name}}
                data: {{data}}
                model: {dim: 32, layers: 2, heads: 4}
                training: {batch_size: 8, max_steps: 12, warmup_steps: 2, learning_rate: 3.0e-3, eval_every: 6, eval_batches: 2, checkpoint_every: 6, log_every: 1, threads: 1}
            {{resources}}
            """;
        var pipeline = dir.Write("pipeline.yaml", "workers: 1\nstages:\n" + Stage("pretrain_one", "")
            + Stage("pretrain_two", "    resources: {ranks: 2}"));
        var run = new RunFolder(dir.File("run"));
        var result = Dataflow(dir.Path, "run", pipeline, "--run-dir", run.Root);
        Assert.True(result.Exit == 0, result.Text);

        Assert.True(run.IsDone("pretrain_two", 0));
        var summary = File.ReadAllText(Path.Combine(Out(run, "pretrain_two"), "summary.json"));
        Assert.Contains("data parallel over 2 MPI rank(s): 4 rows per rank", summary);
        var log = File.ReadAllText(Path.Combine(run.LogsDir, "pretrain_two", "task-00000.log"));
        Assert.Equal(1, Count(log, "pretrain_two[0] complete"));
        Assert.Equal(1, Count(log, "pretrain_two[0] done on this rank; rank 0 commits"));
        Assert.Empty(Directory.EnumerateFiles(run.Root, "*.tmp", SearchOption.AllDirectories));
        var expected = Losses(run, "pretrain_one");
        var actual = Losses(run, "pretrain_two");
        Assert.Equal(12, expected.Count);
        AssertClose(expected, actual);
    }

    [MpiFact]
    public void ATwoRankTaskThatFailsFailsTheRunNamingItsLog()
    {
        using var dir = new TempDir();
        // A global batch of 7 rows cannot be split over 2 ranks: every rank fails at its first step.
        var pipeline = WritePipeline(dir);
        File.WriteAllText(dir.File("sft.yaml"), File.ReadAllText(dir.File("sft.yaml")).Replace("batch_size: 8", "batch_size: 7"));
        var run = new RunFolder(dir.File("run"));
        var result = Dataflow(dir.Path, "run", pipeline, "--run-dir", run.Root);
        Assert.NotEqual(0, result.Exit);
        Assert.Contains("stage 'sft_two' task 0 failed: its 2 ranks (mpirun) exited with code", result.Text);
        Assert.Contains(Path.Combine(run.LogsDir, "sft_two", "task-00000.log"), result.Text);
        Assert.Contains("must divide evenly over 2 ranks", File.ReadAllText(Path.Combine(run.LogsDir, "sft_two", "task-00000.log")));
        Assert.True(run.IsDone("sft_one", 0));
        Assert.False(run.IsDone("sft_two", 0));
        Assert.False(File.Exists(Path.Combine(Out(run, "sft_two"), "summary.json")));
    }

    [Fact]
    public void WithoutMpirunTheLocalExecutorSaysWhichStageNeedsItAndHowToInstallIt()
    {
        using var dir = new TempDir();
        var result = Dataflow(dir.Path, ["run", WritePipeline(dir), "--run-dir", dir.File("run")], path: dir.Path);
        Assert.NotEqual(0, result.Exit);
        Assert.Contains("stage 'sft_two' runs each task on 2 ranks (resources.ranks)", result.Text);
        Assert.Contains("mpirun is not on PATH: install Open MPI with scripts/install-cluster-deps.sh", result.Text);
    }

    [SlurmMpiFact]
    public void SlurmExecutorRunsATwoRankStageUnderSrunLikeOneRank()
    {
        using var dir = new TempDir();
        var run = dir.File("run");
        var result = Dataflow(dir.Path, "submit", WritePipeline(dir), "--executor", "slurm", "--run-dir", run, "--wait");
        Assert.True(result.Exit == 0, result.Text);
        Assert.Contains("srun --mpi=pmix --kill-on-bad-exit=1 --ntasks=2 ", File.ReadAllText(Path.Combine(run, "slurm", "sft_two.sh")));
        // The controller keeps finished jobs for MinJobAge (600 s in scripts/slurm-up.sh): the array element got 2 tasks.
        var job = SlurmSubmission.Load(new RunFolder(run))!.Jobs.Single(j => j.Stage == "sft_two").JobId;
        var scontrol = Exec("scontrol", "show", "job", job.ToString());
        Assert.Matches(@"\bNumTasks=2\b", scontrol);
        AssertTwoRanksTrainedLikeOne(new RunFolder(run));
    }

    [SlurmMpiFact]
    public void UnderSlurmAFailingTwoRankTaskIsRetriedAsAWholeThenReported()
    {
        using var dir = new TempDir();
        var pipeline = WritePipeline(dir);
        File.WriteAllText(dir.File("sft.yaml"), File.ReadAllText(dir.File("sft.yaml")).Replace("batch_size: 8", "batch_size: 7"));
        var run = new RunFolder(dir.File("run"));
        var result = Dataflow(dir.Path, "submit", pipeline, "--executor", "slurm", "--run-dir", run.Root, "--retries", "1", "--wait");
        Assert.NotEqual(0, result.Exit);
        Assert.Contains("stage 'sft_two' task 0 failed (exit code 1 after 2 attempt(s)", result.Text);
        var log = File.ReadAllText(Path.Combine(run.LogsDir, "sft_two", "task-00000.log"));
        Assert.Contains("attempt 2 of 2", log);
        // Each attempt started both ranks again; the first to fail aborted the other (which may not get to say so).
        Assert.Equal(2, Count(log, "== attempt"));
        Assert.True(Count(log, " of 2 failed, aborting all ranks") >= 2, log);
        Assert.True(run.IsDone("sft_one", 0));
        Assert.False(run.IsDone("sft_two", 0));
    }

    /// <summary>verifiable_set -> sft_one (ranks 1) -> sft_two (ranks 2), both SFT stages on the same data and config.</summary>
    private static string WritePipeline(TempDir dir, int steps = 12, int saveEvery = 6)
    {
        var config = dir.Write("sft.yaml", $"""
            format: prompt_completion
            model: {"{"} vocab_size: 262, dim: 32, layers: 2, heads: 4, context_length: 64 {"}"}
            max_tokens: 64
            max_steps: {steps}
            batch_size: 8
            warmup_steps: 2
            log_every: 1
            eval_every: 6
            checkpoint_every: {saveEvery}
            sample_count: 2
            seed: 3
            threads: 1
            """);
        return dir.Write("pipeline.yaml", $"""
            workers: 1
            stages:
              - type: verifiable_set
                train_count: 160
                eval_count: 16
                seed: 4
              - type: sft
                name: sft_one
                config: {config}
              - type: sft
                name: sft_two
                config: {config}
                resources: {"{"}ranks: 2, cpus_per_task: 1{"}"}
            """);
    }

    private void AssertTwoRanksTrainedLikeOne(RunFolder run, int steps = 12)
    {
        foreach (var stage in new[] { "sft_one", "sft_two" })
        {
            Assert.True(run.IsDone(stage, 0), $"{stage} has no completion marker");
            Assert.True(File.Exists(run.TaskStatsFile(stage, 0)), $"{stage} has no task stats");
            Assert.True(File.Exists(Path.Combine(Out(run, stage), "summary.json")), $"{stage} has no summary.json");
        }
        Assert.Empty(Directory.EnumerateFiles(run.Root, "*.tmp", SearchOption.AllDirectories));
        // Both ranks ran the task; exactly one committed it.
        var log = File.ReadAllText(Path.Combine(run.LogsDir, "sft_two", "task-00000.log"));
        Assert.Equal(1, Count(log, "sft_two[0] complete"));
        Assert.Equal(1, Count(log, "sft_two[0] done on this rank; rank 0 commits"));
        var summary = File.ReadAllText(Path.Combine(Out(run, "sft_two"), "summary.json"));
        Assert.Contains("data parallel over 2 MPI ranks, 4 of 8 rows per rank", summary);
        Assert.Contains("replicas of 2 ranks differ by at most 0 ", summary);

        var expected = Losses(run, "sft_one");
        var actual = Losses(run, "sft_two");
        Assert.Equal(steps, expected.Count);
        Assert.Equal(expected.Count, actual.Count);
        AssertClose(expected, actual);

        var one = Safetensors.LoadStateDict(Path.Combine(Out(run, "sft_one"), "final", ModelWeights.WeightsFile));
        var two = Safetensors.LoadStateDict(Path.Combine(Out(run, "sft_two"), "final", ModelWeights.WeightsFile));
        Assert.Equal(one.Keys.Order(), two.Keys.Order());
        var largest = one.Keys.Max(k => (one[k] - two[k]).abs().max().item<float>());
        var scale = one.Keys.Max(k => one[k].abs().max().item<float>());
        output.WriteLine($"final weights: largest |difference| {largest:G3} (largest |weight| {scale:G3})");
        Assert.True(largest <= 1e-5 * scale, $"final weights differ by up to {largest}");
    }

    private void AssertClose(List<double> expected, List<double> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second) / Math.Abs(p.First));
        output.WriteLine($"loss: largest relative difference, ranks 2 vs ranks 1 over {expected.Count} steps: {worst:G3}");
        Assert.True(worst <= 1e-5, $"losses differ by {worst} relative:\n{string.Join('\n', expected.Zip(actual))}");
    }

    private static string Out(RunFolder run, string stage) => Path.Combine(run.StageDir(stage), "out");

    /// <summary>The training loss per step; a resumed stage may log a step twice, the later line wins.</summary>
    private static List<double> Losses(RunFolder run, string stage) =>
        File.ReadLines(Path.Combine(Out(run, stage), "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("loss", out _))
            .GroupBy(e => e.GetProperty("step").GetInt32()).OrderBy(g => g.Key)
            .Select(g => g.Last().GetProperty("loss").GetDouble()).ToList();

    private static int Count(string text, string what) => text.Split(what).Length - 1;

    private static Process Start(string workingDir, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "dataflow.dll"), .. args]) start.ArgumentList.Add(a);
        start.Environment["TERM"] = "dumb";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine(); // drained, so a full pipe never blocks it
        process.BeginErrorReadLine();
        return process;
    }

    private static string Exec(string command, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', args)} exited {process.ExitCode}");
        return text;
    }

    private static (int Exit, string Text) Dataflow(string workingDir, params string[] args) => Dataflow(workingDir, args, path: null);

    /// <param name="path">PATH for the CLI (null: this process's).</param>
    private static (int Exit, string Text) Dataflow(string workingDir, string[] args, string? path)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "dataflow.dll"), .. args]) start.ArgumentList.Add(a);
        start.Environment["TERM"] = "dumb";
        if (path is not null) start.Environment["PATH"] = path;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dataflow {string.Join(' ', args)} ran over 5 minutes");
        }
        process.WaitForExit();
        return (process.ExitCode, $"dataflow {string.Join(' ', args)}: exit {process.ExitCode}\n{stdout.Result}\n{stderr.Result}");
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dataflow-mpi-tests", Guid.NewGuid().ToString("N")[..12]);

        public TempDir() => Directory.CreateDirectory(Path);

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public string Write(string name, string text)
        {
            System.IO.File.WriteAllText(File(name), text);
            return File(name);
        }

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}
