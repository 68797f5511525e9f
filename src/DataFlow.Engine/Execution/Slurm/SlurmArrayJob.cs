namespace DataFlow.Engine.Execution.Slurm;

/// <summary>
/// One submitted job array: array element <c>k</c> runs, in one process, the tasks <c>(Offset + k) * TasksPerJob</c>
/// to <c>(Offset + k + 1) * TasksPerJob - 1</c> of <see cref="Stage"/> (the stage's <c>tasks_per_job</c>, default 1:
/// element k runs task Offset + k). <see cref="Tasks"/> are the unfinished tasks it was submitted for. Offsets exist
/// because array indices must stay below the cluster's MaxArraySize, so big stages are split.
/// </summary>
public sealed record SlurmArrayJob(string Stage, long JobId, int Offset, IReadOnlyList<int> Tasks)
{
    public int TasksPerJob { get; init; } = 1;

    /// <summary>The submitted tasks array element <paramref name="arrayIndex"/> runs.</summary>
    public IEnumerable<int> TasksOf(int arrayIndex) => Tasks.Where(t => t / TasksPerJob == Offset + arrayIndex);
}
