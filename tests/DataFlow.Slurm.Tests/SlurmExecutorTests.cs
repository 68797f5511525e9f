using System.Diagnostics;
using DataFlow.Engine.Execution.Slurm;
using DataFlow.Engine.Jobs;

namespace DataFlow.Slurm.Tests;

/// <summary>
/// `dataflow submit --executor slurm` against the real single-host cluster: same output as the local executor,
/// retries, failure reports, cancel + resubmit. Every task runs as a separate `dataflow task` process under Slurm.
/// </summary>
public sealed class SlurmExecutorTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [SlurmFact]
    public void SamplePipelineOnSlurmWritesExactlyWhatTheLocalExecutorWrites()
    {
        using var dir = new TestFolder();
        var data = TestFolder.RepoSampleData() ?? throw new InvalidOperationException("data/sample is missing from the repository");
        // Four tasks split into arrays of at most three (0-2 and 3), two at a time: exercises splitting and throttling.
        var pipeline = dir.Write("pipeline.yaml", $"""
            tasks: 4
            stages:
              - type: ingest
                input: {data}/*.jsonl.gz
              - type: sample
                fraction: 0.5
                seed: 7
              - type: fault_injection
                name: passthrough
            """);
        var local = CliProcess.Run(dir.Path, Limit, "run", pipeline, "--run-dir", dir.Sub("local"), "--workers", "2");
        Assert.True(local.ExitCode == 0, local.ToString());

        var slurm = CliProcess.Run(dir.Path, Limit, "submit", pipeline, "--executor", "slurm", "--run-dir", dir.Sub("slurm"),
            "--max-array-size", "3", "--max-parallel", "2", "--wait");
        Assert.True(slurm.ExitCode == 0, slurm.ToString());
        Assert.Equal(6, slurm.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // 3 stages x 2 arrays

        foreach (var stage in new[] { "ingest", "sample", "passthrough" })
        {
            var expected = RunFolderRows.Read(dir.Sub("local"), stage);
            var actual = RunFolderRows.Read(dir.Sub("slurm"), stage);
            Assert.Equal(expected.Keys, actual.Keys);
            foreach (var shard in expected.Keys) Assert.Equal(expected[shard], actual[shard]);
        }
        Assert.True(RunFolderRows.Read(dir.Sub("slurm"), "passthrough").Values.Sum(r => r.Count) > 100);
        Assert.True(File.Exists(new RunFolder(dir.Sub("slurm")).StageStatsFile("passthrough")));
        Assert.True(File.Exists(SlurmArrayScript.TaskLog(new RunFolder(dir.Sub("slurm")), "ingest", 3)));
        Assert.Equal(0, RunFolderRows.LeftoverTemporaries(dir.Sub("slurm")));
    }

    [SlurmFact]
    public void RepositorySamplePipelineOnSlurmWritesByteIdenticalOutputs()
    {
        // The data stages of conf/pipeline.sample.yaml: ingest -> quality -> dedup (4 engine stages, file exchange) -> pii
        // -> tokenize (encode, shuffle exchange, manifest) -> report; every task a separate process under Slurm.
        // (Its training stages take minutes of CPU each; the trainer's own tests and the MPI tests cover them.)
        var repo = TestFolder.RepoRoot() ?? throw new InvalidOperationException("repository root (conf/pipeline.sample.yaml) not found");
        using var dir = new TestFolder();
        var pipeline = dir.Write("sample-data-stages.yaml", DataStagesOf(File.ReadAllText(Path.Combine(repo, "conf", "pipeline.sample.yaml"))));
        var local = CliProcess.Run(repo, Limit, "run", pipeline, "--run-dir", dir.Sub("local"));
        Assert.True(local.ExitCode == 0, local.ToString());
        var slurm = CliProcess.Run(repo, Limit, "submit", pipeline, "--run-dir", dir.Sub("slurm"), "--max-parallel", "2", "--wait");
        Assert.True(slurm.ExitCode == 0, slurm.ToString());

        var localRun = new RunFolder(dir.Sub("local"));
        var compared = 0;
        foreach (var stageDir in Directory.GetDirectories(Path.Combine(localRun.Root, "stages")))
        {
            var manifest = StageManifest.Load(Path.Combine(stageDir, "manifest.json"));
            foreach (var output in manifest.AllOutputs)
            {
                var twin = output.Replace(dir.Sub("local"), dir.Sub("slurm"), StringComparison.Ordinal);
                Assert.True(File.Exists(twin), $"{twin} is missing");
                if (manifest.Type == "report") continue; // the report names its run folder
                Assert.True(File.ReadAllBytes(output).AsSpan().SequenceEqual(File.ReadAllBytes(twin)), $"{twin} differs from {output}");
                compared++;
            }
        }
        Assert.True(compared > 50, $"only {compared} outputs compared");
        Assert.Equal(0, RunFolderRows.LeftoverTemporaries(dir.Sub("slurm")));
    }

    /// <summary>The sample pipeline without its training stages (stage blocks start at "  - type: NAME").</summary>
    private static string DataStagesOf(string yaml)
    {
        string[] dataStages = ["ingest", "quality", "dedup", "pii", "tokenize", "report"];
        var kept = new List<string>();
        var keep = true;
        foreach (var line in yaml.Split('\n'))
        {
            if (line.StartsWith("  - type: ", StringComparison.Ordinal))
                keep = dataStages.Contains(line["  - type: ".Length..].Split('#')[0].Trim());
            if (keep) kept.Add(line);
        }
        return string.Join('\n', kept);
    }

    [SlurmFact]
    public void TaskThatFailsOnceIsRetriedAndTheRunCompletes()
    {
        using var dir = new TestFolder();
        var corpus = dir.WriteCorpus(files: 3, docsPerFile: 50);
        var pipeline = dir.Write("pipeline.yaml", $"""
            tasks: 3
            stages:
              - type: ingest
                input: {corpus}
              - type: fault_injection
                name: flaky
                fail_task: 1
                fail_attempts: 1
            """);
        var result = CliProcess.Run(dir.Path, Limit, "submit", pipeline, "--run-dir", dir.Sub("run"), "--retries", "1", "--wait");
        Assert.True(result.ExitCode == 0, result.ToString());

        var run = new RunFolder(dir.Sub("run"));
        Assert.All(Enumerable.Range(0, 3), i => Assert.True(run.IsDone("flaky", i)));
        var log = File.ReadAllText(SlurmArrayScript.TaskLog(run, "flaky", 1));
        Assert.Contains("fails on purpose (attempt 1)", log);
        Assert.Contains("attempt 2 of 2", log);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run.StageDir("flaky"), "fault-injection", "task-00001.attempts")).Length);
        Assert.False(File.Exists(SlurmArrayScript.FailureMarker(run, "flaky", 1)));
        Assert.Equal(150, RunFolderRows.Read(run.Root, "flaky").Values.Sum(r => r.Count));
    }

    [SlurmFact]
    public void TaskThatAlwaysFailsStopsDependentStagesAndSaysWhereItsLogIs()
    {
        using var dir = new TestFolder();
        var corpus = dir.WriteCorpus(files: 3, docsPerFile: 20);
        var pipeline = dir.Write("pipeline.yaml", $"""
            tasks: 3
            stages:
              - type: ingest
                input: {corpus}
              - type: fault_injection
                name: broken
                fail_task: 2
                fail_always: true
              - type: sample
                name: downstream
                fraction: 1
            """);
        var result = CliProcess.Run(dir.Path, Limit, "submit", pipeline, "--run-dir", dir.Sub("run"), "--retries", "1", "--wait");
        Assert.Equal(1, result.ExitCode);

        var run = new RunFolder(dir.Sub("run"));
        var log = SlurmArrayScript.TaskLog(run, "broken", 2);
        Assert.Contains($"stage 'broken' task 2 failed (exit code 1 after 2 attempt(s)", result.Error);
        Assert.Contains($"log: {log}", result.Error);
        Assert.Contains("stage 'downstream': 3 task(s) not run because stage 'broken' failed", result.Error);
        Assert.Contains("fails on purpose (attempt 2)", File.ReadAllText(log));
        Assert.True(run.IsDone("broken", 0) && run.IsDone("broken", 1) && !run.IsDone("broken", 2));
        Assert.All(Enumerable.Range(0, 3), i => Assert.False(run.IsDone("downstream", i)));

        var status = CliProcess.Run(dir.Path, Limit, "status", run.Root, "--json");
        Assert.Equal(4, status.ExitCode);
        Assert.Contains($"log: {log}", status.Error);
        using var json = System.Text.Json.JsonDocument.Parse(status.Output);
        Assert.Equal("FAILED 1", json.RootElement.GetProperty("broken").GetProperty("slurm").GetString());
        Assert.Equal("not queued 3", json.RootElement.GetProperty("downstream").GetProperty("slurm").GetString());
    }

    [SlurmFact]
    public void CancellingMidRunAndResubmittingLosesAndDoublesNothing()
    {
        using var dir = new TestFolder();
        var corpus = dir.WriteCorpus(files: 8, docsPerFile: 40);
        var pipeline = dir.Write("pipeline.yaml", $"""
            tasks: 8
            stages:
              - type: ingest
                input: {corpus}
              - type: fault_injection
                name: slow
                sleep_ms: 1500
            """);
        var runDir = dir.Sub("slurm");
        var first = CliProcess.Run(dir.Path, Limit, "submit", pipeline, "--run-dir", runDir, "--max-parallel", "2");
        Assert.True(first.ExitCode == 0, first.ToString());

        var run = new RunFolder(runDir);
        int DoneSlow() => Enumerable.Range(0, 8).Count(i => run.IsDone("slow", i));
        var clock = Stopwatch.StartNew();
        while (DoneSlow() < 2 && clock.Elapsed < Limit) Thread.Sleep(200);
        var cancel = CliProcess.Run(dir.Path, Limit, "cancel", runDir);
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        var jobs = SlurmSubmission.Load(run)!.JobIds.ToHashSet();
        while (new SlurmClient().Queue().Any(e => jobs.Contains(e.JobId)) && clock.Elapsed < Limit) Thread.Sleep(200);
        var doneAtCancel = DoneSlow();
        Assert.InRange(doneAtCancel, 2, 7); // really stopped mid-stage

        var second = CliProcess.Run(dir.Path, Limit, "submit", pipeline, "--run-dir", runDir, "--wait");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.DoesNotContain("ingest", second.Output); // ingest was complete: only unfinished tasks are resubmitted
        Assert.Equal(8, DoneSlow());

        var local = CliProcess.Run(dir.Path, Limit, "run", pipeline, "--run-dir", dir.Sub("local"), "--workers", "2");
        Assert.True(local.ExitCode == 0, local.ToString());
        var expected = RunFolderRows.Read(dir.Sub("local"), "slow");
        var actual = RunFolderRows.Read(runDir, "slow");
        Assert.Equal(expected, actual);
        var ids = actual.Values.SelectMany(rows => rows.Select(r => r.Split('\u0001')[0])).ToList();
        Assert.Equal(320, ids.Count);
        Assert.Equal(320, ids.Distinct().Count());
        Assert.Equal(0, RunFolderRows.LeftoverTemporaries(runDir));
    }

    [SlurmFact]
    public void StageResourcesOverrideTheSubmitFlagsForThatStageOnly()
    {
        using var dir = new TestFolder();
        var corpus = dir.WriteCorpus(files: 2, docsPerFile: 10);
        var pipeline = dir.Write("pipeline.yaml", $"""
            tasks: 2
            stages:
              - type: ingest
                input: {corpus}
              - type: sample
                fraction: 1
                resources:
                  cpus_per_task: 2
                  time: "00:07:00"
                  max_parallel: 1
            """);
        var result = CliProcess.Run(dir.Path, Limit, "submit", pipeline, "--run-dir", dir.Sub("run"), "--time", "00:09:00", "--wait");
        Assert.True(result.ExitCode == 0, result.ToString());

        // The controller keeps finished jobs for MinJobAge (600 s in scripts/slurm-up.sh): ask it what each array got.
        var jobs = SlurmSubmission.Load(new RunFolder(dir.Sub("run")))!.Jobs.ToDictionary(j => j.Stage, j => j.JobId);
        var ingest = ScontrolJob(jobs["ingest"]);
        var sample = ScontrolJob(jobs["sample"]);
        Assert.Contains("TimeLimit=00:09:00", ingest);
        Assert.Matches(@"\bNumCPUs=1\b", ingest);
        Assert.Contains("TimeLimit=00:07:00", sample);
        Assert.Matches(@"\bNumCPUs=2\b", sample);
        Assert.Matches(@"ArrayTaskId=\S*%1\b|ArrayTaskThrottle=1\b", sample);
    }

    private static string ScontrolJob(long jobId)
    {
        var start = new ProcessStartInfo("scontrol", ["show", "job", jobId.ToString()]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"scontrol show job {jobId} failed");
        return output;
    }
}
