namespace DataFlow.Engine.Execution.Slurm;

/// <summary>Every stage of a run under Slurm; says which task failed and where its log is.</summary>
public sealed record SlurmRunStatus(IReadOnlyList<SlurmStageStatus> Stages)
{
    public bool IsComplete => Stages.All(s => s.IsComplete);
    public bool IsActive => Stages.Any(s => s.InQueue > 0);
    public IEnumerable<SlurmTaskFailure> Failures => Stages.SelectMany(s => s.Failures);

    /// <summary>Lines for the user when the run did not complete: failed tasks with logs, then stages left unrun.</summary>
    public IReadOnlyList<string> Problems()
    {
        var lines = Failures.Select(f => f.ToString()).ToList();
        var firstFailed = Stages.FirstOrDefault(s => s.Failures.Count > 0)?.Stage;
        foreach (var stage in Stages.Where(s => !s.IsComplete && s.Failures.Count == 0 && s.InQueue == 0))
            lines.Add(firstFailed is not null
                ? $"stage '{stage.Stage}': {stage.Tasks - stage.Done} task(s) not run because stage '{firstFailed}' failed"
                : $"stage '{stage.Stage}': {stage.Tasks - stage.Done} task(s) not done and not in the queue (cancelled or never submitted); submit again to resume");
        return lines;
    }
}
