namespace DataFlow.Engine.Execution.Slurm;

/// <summary>One line of <c>squeue -r</c>: a job, or one element of a job array, still known to the controller.</summary>
public sealed record SlurmQueueEntry(long JobId, int? ArrayIndex, string State, string Reason)
{
    /// <summary>Parses <c>%F|%K|%T|%r</c> (array job id, array index or N/A, state, reason).</summary>
    public static SlurmQueueEntry? Parse(string line)
    {
        var parts = line.Trim().Split('|');
        if (parts.Length < 4 || !long.TryParse(parts[0], out var job)) return null;
        int? index = int.TryParse(parts[1], out var k) ? k : null;
        return new SlurmQueueEntry(job, index, parts[2], parts[3]);
    }
}
