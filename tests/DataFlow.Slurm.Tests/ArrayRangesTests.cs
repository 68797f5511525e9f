using DataFlow.Engine.Execution.Slurm;
using DataFlow.Engine.Jobs;

namespace DataFlow.Slurm.Tests;

/// <summary>The pieces of the executor that need no cluster: array specs, the task script, failure markers.</summary>
public sealed class ArrayRangesTests
{
    [Fact]
    public void IndicesBecomeSbatchRanges()
    {
        Assert.Equal("0-3,5,7-9", ArrayRanges.Format([9, 0, 1, 2, 3, 5, 7, 8]));
        Assert.Equal("4", ArrayRanges.Format([4, 4]));
        Assert.Equal("", ArrayRanges.Format([]));
    }

    [Fact]
    public void ScriptQuotesPathsAndRunsTheTaskCommand()
    {
        var run = new RunFolder("/tmp/it's a run");
        var script = SlurmArrayScript.Build(run, "quality", ["/usr/bin/dotnet", "/opt/data flow/dataflow.dll"], retries: 3);
        Assert.StartsWith("#!/usr/bin/env bash\n", script);
        Assert.Contains("'/usr/bin/dotnet' '/opt/data flow/dataflow.dll' task --run '/tmp/it'\"'\"'s a run' --stage 'quality' --index \"$index\"", script);
        Assert.Contains("retries=3", script);
        Assert.DoesNotContain("\r", script);
    }

    [Fact]
    public void ScriptOfAMultiRankStageStartsEveryRankThroughSrun()
    {
        var run = new RunFolder("/tmp/run");
        var script = SlurmArrayScript.Build(run, "sft", ["/opt/dataflow"], retries: 1, ranks: 2);
        Assert.Contains("TERM=dumb srun --mpi=pmix --kill-on-bad-exit=1 --ntasks=2 '/opt/dataflow' task --run '/tmp/run' --stage 'sft' --index \"$index\"", script);
        Assert.DoesNotContain("srun", SlurmArrayScript.Build(run, "sft", ["/opt/dataflow"], retries: 1));
    }

    [Fact]
    public void FailureMarkerWrittenByTheScriptIsReadBack()
    {
        using var dir = new TestFolder();
        var path = dir.Write("task-00002.failed",
            """{"stage":"b","index":2,"exit_code":1,"attempts":3,"log":"/r/logs/b/task-00002.log","job":"41_2"}""");
        var failure = SlurmTaskFailure.Load(path)!;
        Assert.Equal("stage 'b' task 2 failed (exit code 1 after 3 attempt(s), Slurm job 41_2); log: /r/logs/b/task-00002.log", failure.ToString());
        Assert.Null(SlurmTaskFailure.Load(dir.Write("half.failed", """{"stage":"b","ind""")));
    }
}
