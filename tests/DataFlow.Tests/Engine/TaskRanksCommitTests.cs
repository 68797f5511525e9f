using DataFlow.Engine.Jobs;

namespace DataFlow.Tests.Engine;

/// <summary>
/// The commit rule for a task run by several ranks (each rank a process running <see cref="TaskRunner.Run"/>): only the
/// rank the job reports as 0 renames outputs, writes stats and the marker; the others leave no trace. The ranks here are
/// played in turn by one process (what MPI would tell each job is simply given to it), the MPI runs are in DataFlow.Mpi.Tests.
/// </summary>
public sealed class TaskRanksCommitTests
{
    [Fact]
    public void Only_rank_zero_commits_and_the_other_ranks_leave_nothing()
    {
        using var dir = new TempDir();
        var run = new RunFolder(dir.File("run"));
        var output = dir.File("run/stages/train/out/summary.json");
        var plan = new TaskPlan(0, [], [output]);

        Assert.Equal(TaskRunner.Outcome.CommittedByRankZero, TaskRunner.Run(run, Stage(rank: 1), plan, CancellationToken.None));
        Assert.False(run.IsDone("train", 0));
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(run.TaskStatsFile("train", 0)));
        Assert.Empty(Directory.EnumerateFiles(run.Root, "*", SearchOption.AllDirectories));

        Assert.Equal(TaskRunner.Outcome.Completed, TaskRunner.Run(run, Stage(rank: 0), plan, CancellationToken.None));
        Assert.True(run.IsDone("train", 0));
        Assert.Equal("written by rank 0", File.ReadAllText(output));
        Assert.True(File.Exists(run.TaskStatsFile("train", 0)));
        Assert.Equal(TaskRunner.Outcome.AlreadyDone, TaskRunner.Run(run, Stage(rank: 1), plan, CancellationToken.None));
    }

    [Fact]
    public void A_job_that_never_says_its_rank_fails_instead_of_committing_on_every_rank()
    {
        using var dir = new TempDir();
        var run = new RunFolder(dir.File("run"));
        var plan = new TaskPlan(0, [], [dir.File("run/stages/train/out/summary.json")]);
        var e = Assert.Throws<InvalidOperationException>(() => TaskRunner.Run(run, Stage(rank: null), plan, CancellationToken.None));
        Assert.Equal("task train[0] ran on 2 ranks, but its job never said which rank it was", e.Message);
        Assert.False(run.IsDone("train", 0));
        Assert.Empty(Directory.EnumerateFiles(run.Root, "*", SearchOption.AllDirectories));
    }

    private static StageDefinition Stage(int? rank) =>
        new("train", "test", new RankedJob(rank)) { Resources = new StageResources { Ranks = 2 } };

    /// <summary>Writes its output on every rank, as a careless job might; the engine must still publish rank 0's alone.</summary>
    private sealed class RankedJob(int? rank) : IStageJob
    {
        public bool SupportsRanks => true;

        public IReadOnlyList<TaskPlan> Plan(PlanContext context) => throw new NotSupportedException("planned by the test");

        public void Run(TaskContext context)
        {
            if (rank is { } r) context.Rank = r;
            File.WriteAllText(context.CreateOutput(context.Plan.Outputs[0]), $"written by rank {rank}");
        }
    }
}
