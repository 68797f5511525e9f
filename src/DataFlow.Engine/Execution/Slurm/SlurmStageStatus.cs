namespace DataFlow.Engine.Execution.Slurm;

/// <summary>One stage as Slurm and the run folder see it: completion markers, queue states of unfinished tasks, failures.</summary>
public sealed record SlurmStageStatus(
    string Stage, int Tasks, int Done, IReadOnlyDictionary<string, int> QueueStates, IReadOnlyList<SlurmTaskFailure> Failures)
{
    public bool IsComplete => Done == Tasks;
    public int InQueue => QueueStates.Values.Sum();

    /// <summary>Tasks neither done, failed nor queued: never submitted, or cancelled (an upstream stage failed, scancel).</summary>
    public int NotRunning => Tasks - Done - Failures.Count - InQueue;

    /// <summary>Short text for a status column: "RUNNING 2, PENDING 5, FAILED 1".</summary>
    public string QueueSummary()
    {
        var parts = QueueStates.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}").ToList();
        if (Failures.Count > 0) parts.Add($"FAILED {Failures.Count}");
        if (!IsComplete && NotRunning > 0) parts.Add($"not queued {NotRunning}");
        return parts.Count == 0 ? (IsComplete ? "done" : "") : string.Join(", ", parts);
    }
}
