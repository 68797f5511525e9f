namespace DataFlow.Engine.Execution.Slurm;

/// <summary>How stages are submitted: sbatch resources, array throttle, retries per task.</summary>
public sealed record SlurmOptions
{
    public string? Partition { get; init; }
    public int CpusPerTask { get; init; } = 1;

    /// <summary>Memory per task in sbatch syntax (e.g. 4G); null leaves the cluster default.</summary>
    public string? Memory { get; init; }

    /// <summary>Time limit per task in sbatch syntax (e.g. 01:00:00); null leaves the partition default.</summary>
    public string? TimeLimit { get; init; }

    /// <summary>At most this many tasks of one array run at once (the <c>%K</c> of <c>--array</c>); 0 = no limit.</summary>
    public int MaxParallel { get; init; }

    /// <summary>Extra attempts of a failed task inside its array element, before the element fails.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>Split arrays at this size even when the cluster allows more; 0 = the cluster's MaxArraySize.</summary>
    public int MaxArraySize { get; init; }

    public void Validate()
    {
        if (CpusPerTask < 1) throw new ArgumentException("--cpus-per-task must be at least 1");
        if (MaxParallel < 0) throw new ArgumentException("--max-parallel must be 0 (no limit) or more");
        if (Retries is < 0 or > 100) throw new ArgumentException("--retries must be between 0 and 100");
        if (MaxArraySize < 0) throw new ArgumentException("--max-array-size must be 0 (cluster limit) or more");
    }
}
