using System.Diagnostics;
using System.Text.RegularExpressions;
using DataFlow.Engine.Execution.Slurm;
using DataFlow.Engine.Jobs;

namespace DataFlow.Slurm.Tests;

/// <summary>
/// <c>resources: {tasks_per_job: N}</c>: one array element runs N tasks in one process, each committing on its own.
/// The first two tests run the generated array script with bash, element by element as Slurm would (no cluster
/// needed), with the real CLI; the last submits to the real cluster.
/// </summary>
public sealed class TasksPerJobTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    private static string Pipeline(TestFolder dir, string corpus, int tasksPerJob, string extra = "") => dir.Write($"pipeline-{tasksPerJob}.yaml", $"""
        tasks: 5
        stages:
          - type: ingest
            input: {corpus}
          - type: sample
            fraction: 0.5
            seed: 7
            resources: {"{"}tasks_per_job: {tasksPerJob}{"}"}
        {extra}
        """);

    [Fact]
    public void EachArrayElementRunsItsGroupInOneProcessAndWritesWhatOneTaskPerProcessWrites()
    {
        using var dir = new TestFolder();
        var corpus = dir.WriteCorpus(files: 5, docsPerFile: 30);
        // Reference: every task of the stage in a process of its own (tasks_per_job 1), through the same array script.
        var single = PlannedRun(dir, Pipeline(dir, corpus, 1), "single");
        for (var k = 0; k < 5; k++) Assert.Equal(0, RunElement(single, "sample", tasksPerJob: 1, k).ExitCode);

        var grouped = PlannedRun(dir, Pipeline(dir, corpus, 2), "grouped");
        for (var k = 0; k < 3; k++) // 5 tasks in groups of 2: elements 0 (tasks 0-1), 1 (2-3), 2 (4)
        {
            var result = RunElement(grouped, "sample", tasksPerJob: 2, k);
            Assert.True(result.ExitCode == 0, result.ToString());
        }
        Assert.All(Enumerable.Range(0, 5), i => Assert.True(grouped.IsDone("sample", i)));
        // One log per element, named by its first task; one process (one "startup: main" line) per element.
        var logs = Directory.GetFiles(SlurmArrayScript.TaskLogsDir(grouped, "sample"), "*.log").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["task-00000.log", "task-00002.log", "task-00004.log"], logs);
        var first = File.ReadAllText(SlurmArrayScript.TaskLog(grouped, "sample", 0));
        Assert.Single(Regex.Matches(first, "^startup: main ", RegexOptions.Multiline));
        Assert.Contains("sample[0] complete", first);
        Assert.Contains("sample[1] complete", first);
        var last = File.ReadAllText(SlurmArrayScript.TaskLog(grouped, "sample", 4));
        Assert.Single(Regex.Matches(last, "^startup: main ", RegexOptions.Multiline));
        Assert.Contains("sample[4] complete", last);
        Assert.DoesNotContain("sample[5]", last);

        AssertSameOutputs(single, grouped, "sample");
        Assert.Equal(5, Directory.GetFiles(single.TaskDir("sample"), "*.stats.json").Length);
        Assert.Equal(5, Directory.GetFiles(grouped.TaskDir("sample"), "*.stats.json").Length);

        // Resume is per task: with task 3 undone, element 1 skips task 2 and reruns task 3 alone, to the same bytes.
        File.Delete(grouped.DoneMarker("sample", 3));
        var again = RunElement(grouped, "sample", tasksPerJob: 2, 1);
        Assert.True(again.ExitCode == 0, again.ToString());
        var resumed = File.ReadAllText(SlurmArrayScript.TaskLog(grouped, "sample", 2));
        Assert.Contains("sample[2] already complete", resumed);
        Assert.Equal(2, Regex.Matches(resumed, @"sample\[3\] complete").Count);
        AssertSameOutputs(single, grouped, "sample");
        Assert.Equal(0, RunFolderRows.LeftoverTemporaries(grouped.Root));
    }

    [Fact]
    public void AFailingTaskMarksItselfAndTheUnrunRestOfItsGroupFailedNotTheCompletedOnes()
    {
        using var dir = new TestFolder();
        var corpus = dir.WriteCorpus(files: 5, docsPerFile: 10);
        var pipeline = Pipeline(dir, corpus, 1, """
              - type: fault_injection
                name: broken
                fail_task: 1
                fail_always: true
                resources: {tasks_per_job: 3}
            """);
        var run = PlannedRun(dir, pipeline, "run", "sample");
        var result = RunElement(run, "broken", tasksPerJob: 3, 0); // tasks 0, 1 (fails), 2 (never reached)
        Assert.Equal(1, result.ExitCode);
        Assert.True(run.IsDone("broken", 0));
        Assert.False(run.IsDone("broken", 1) || run.IsDone("broken", 2));
        Assert.False(File.Exists(SlurmArrayScript.FailureMarker(run, "broken", 0)));
        var log = SlurmArrayScript.TaskLog(run, "broken", 0);
        foreach (var i in new[] { 1, 2 })
        {
            var failure = SlurmTaskFailure.Load(SlurmArrayScript.FailureMarker(run, "broken", i))!;
            Assert.Equal($"stage 'broken' task {i} failed (exit code 1 after 1 attempt(s), Slurm job 41_0); log: {log}", failure.ToString());
        }
        Assert.Contains("fails on purpose", File.ReadAllText(log));
    }

    [SlurmFact]
    public void SubmittedStageRunsOneArrayElementPerGroupAndWritesWhatTheLocalExecutorWrites()
    {
        using var dir = new TestFolder();
        var corpus = dir.WriteCorpus(files: 7, docsPerFile: 20);
        var pipeline = dir.Write("pipeline.yaml", $"""
            tasks: 7
            stages:
              - type: ingest
                input: {corpus}
                resources: {"{"}tasks_per_job: 3{"}"}
            """);
        var local = CliProcess.Run(dir.Path, Limit, "run", pipeline, "--run-dir", dir.Sub("local"));
        Assert.True(local.ExitCode == 0, local.ToString());
        // 7 tasks in groups of 3 are elements 0, 1, 2; arrays of at most 2 elements: [0, 1] and [2] (offset 2).
        var slurm = CliProcess.Run(dir.Path, Limit, "submit", pipeline, "--run-dir", dir.Sub("slurm"), "--max-array-size", "2", "--wait");
        Assert.True(slurm.ExitCode == 0, slurm.ToString());

        var run = new RunFolder(dir.Sub("slurm"));
        var jobs = SlurmSubmission.Load(run)!.Jobs;
        Assert.Equal([(0, 3), (2, 3)], jobs.Select(j => (j.Offset, j.TasksPerJob)));
        Assert.Equal([0, 1, 2, 3, 4, 5], jobs[0].Tasks);
        Assert.Equal([6], jobs[1].Tasks);
        Assert.Equal([0, 1, 2], jobs[0].TasksOf(0));
        Assert.Equal([6], jobs[1].TasksOf(0));
        var logs = Directory.GetFiles(SlurmArrayScript.TaskLogsDir(run, "ingest"), "*.log").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["task-00000.log", "task-00003.log", "task-00006.log"], logs);
        foreach (var (first, count) in new[] { (0, 3), (3, 3), (6, 1) })
        {
            var log = File.ReadAllText(SlurmArrayScript.TaskLog(run, "ingest", first));
            Assert.Single(Regex.Matches(log, "attempt 1 of")); // one process ran the group
            Assert.Equal(count, Regex.Matches(log, @"ingest\[\d+\] complete").Count);
        }
        AssertSameOutputs(new RunFolder(dir.Sub("local")), run, "ingest");
    }

    /// <summary>A run folder whose stages are planned and whose stages before <paramref name="upTo"/> are complete.</summary>
    private static RunFolder PlannedRun(TestFolder dir, string pipeline, string name, string upTo = "ingest")
    {
        var result = CliProcess.Run(dir.Path, Limit, "run", pipeline, "--run-dir", dir.Sub(name), "--stage", "ingest");
        Assert.True(result.ExitCode == 0, result.ToString());
        if (upTo != "ingest")
        {
            result = CliProcess.Run(dir.Path, Limit, "run", pipeline, "--run-dir", dir.Sub(name), "--stage", upTo);
            Assert.True(result.ExitCode == 0, result.ToString());
        }
        return new RunFolder(dir.Sub(name));
    }

    /// <summary>Runs array element <paramref name="element"/> of the stage's generated script with bash, as Slurm would.</summary>
    private static CliProcess.Result RunElement(RunFolder run, string stage, int tasksPerJob, int element)
    {
        var tasks = StageManifest.Load(run.ManifestFile(stage)).Tasks.Count;
        var script = Path.Combine(run.Root, $"{stage}-{tasksPerJob}.sh");
        File.WriteAllText(script, SlurmArrayScript.Build(run, stage, ["dotnet", CliProcess.DataflowDll], retries: 0, ranks: 1, tasksPerJob, tasks));
        var start = new ProcessStartInfo("bash", [script, "0"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["SLURM_ARRAY_TASK_ID"] = element.ToString();
        start.Environment["SLURM_ARRAY_JOB_ID"] = "41";
        start.Environment["DATAFLOW_STARTUP_TRACE"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit)) { process.Kill(entireProcessTree: true); throw new TimeoutException($"{script} ran over {Limit}"); }
        process.WaitForExit();
        return new CliProcess.Result(process.ExitCode, output.Result, error.Result);
    }

    private static void AssertSameOutputs(RunFolder expected, RunFolder actual, string stage)
    {
        var outputs = StageManifest.Load(expected.ManifestFile(stage)).AllOutputs.ToList();
        Assert.NotEmpty(outputs);
        foreach (var output in outputs)
        {
            var twin = output.Replace(expected.Root, actual.Root, StringComparison.Ordinal);
            Assert.True(File.ReadAllBytes(output).AsSpan().SequenceEqual(File.ReadAllBytes(twin)), $"{twin} differs from {output}");
        }
        Assert.Equal(RunFolderRows.Read(expected.Root, stage), RunFolderRows.Read(actual.Root, stage));
    }
}
