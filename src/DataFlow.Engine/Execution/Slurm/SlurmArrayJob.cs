namespace DataFlow.Engine.Execution.Slurm;

/// <summary>
/// One submitted job array: array element <c>k</c> runs task <c>Offset + k</c> of <see cref="Stage"/>.
/// Offsets exist because array indices must stay below the cluster's MaxArraySize, so big stages are split.
/// </summary>
public sealed record SlurmArrayJob(string Stage, long JobId, int Offset, IReadOnlyList<int> Tasks)
{
    public int TaskOf(int arrayIndex) => Offset + arrayIndex;
}
