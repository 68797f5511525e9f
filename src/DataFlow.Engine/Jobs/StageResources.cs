using DataFlow.Engine.Config;

namespace DataFlow.Engine.Jobs;

/// <summary>
/// What one task of a stage asks a batch scheduler for, from the stage's optional <c>resources:</c> block. Unset
/// fields fall back to the submit command's flags, so a pipeline can give its training stages more CPUs, memory and
/// time than its data stages. The local executor runs tasks in its own worker pool and does not read these.
/// <code>
///   - type: pretrain
///     resources: {cpus_per_task: 16, mem: 64G, time: "12:00:00", partition: train, max_parallel: 1, ranks: 4}
/// </code>
/// <c>ranks</c> is read by both executors: each task then runs as that many cooperating processes (see <see cref="IStageJob.SupportsRanks"/>).
/// <c>tasks_per_job: N</c> makes one Slurm array element run N consecutive tasks in one process, so many small tasks
/// pay the process start-up once per N (each task still commits and resumes on its own).
/// </summary>
public sealed record StageResources
{
    public static readonly StageResources None = new();

    public string? Partition { get; init; }
    public int? CpusPerTask { get; init; }

    /// <summary>Memory per task in sbatch syntax (e.g. 4G).</summary>
    public string? Memory { get; init; }

    /// <summary>Time limit per task in sbatch syntax (e.g. 01:00:00 or 2-00:00:00).</summary>
    public string? TimeLimit { get; init; }

    /// <summary>At most this many of the stage's tasks at once; 0 = no limit.</summary>
    public int? MaxParallel { get; init; }

    /// <summary>Processes that run each task together (data-parallel training ranks); cpus_per_task is per rank.</summary>
    public int Ranks { get; init; } = 1;

    /// <summary>Tasks one array element (one process) runs one after another; 1 = a process per task.</summary>
    public int TasksPerJob { get; init; } = 1;

    /// <summary>Reads a <c>resources:</c> block; every key is optional and an unknown one is an error naming its line.</summary>
    public static StageResources FromConfig(ConfigSection section)
    {
        var resources = new StageResources
        {
            Partition = section.GetString("partition"),
            CpusPerTask = section.Has("cpus_per_task") ? section.GetInt("cpus_per_task", 1, 1, 100_000) : null,
            Memory = section.GetString("mem"),
            TimeLimit = section.GetString("time"),
            MaxParallel = section.Has("max_parallel") ? section.GetInt("max_parallel", 0, 0, 1_000_000) : null,
            Ranks = section.GetInt("ranks", 1, 1, 100_000),
            TasksPerJob = section.GetInt("tasks_per_job", 1, 1, 1_000_000),
        };
        if (resources.Ranks > 1 && resources.TasksPerJob > 1)
            throw section.Error("tasks_per_job", $"a stage whose tasks run on {resources.Ranks} ranks runs one task per job; remove tasks_per_job or ranks");
        if (resources.Memory is { } memory && !IsMemory(memory))
            throw section.Error("mem", $"'{memory}' is not a memory size (sbatch syntax: a whole number with an optional K, M, G or T suffix)");
        if (resources.TimeLimit is { } time && !IsTimeLimit(time))
            throw section.Error("time", $"'{time}' is not a time limit (sbatch syntax: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)");
        section.EnsureAllKeysUsed(["partition", "cpus_per_task", "mem", "time", "max_parallel", "ranks", "tasks_per_job"]);
        return resources;
    }

    private static bool IsMemory(string value)
    {
        var digits = value.Length > 0 && "KMGTkmgt".Contains(value[^1]) ? value[..^1] : value;
        return digits.Length > 0 && digits.All(char.IsAsciiDigit);
    }

    private static bool IsTimeLimit(string value)
    {
        var (days, clock) = value.Split('-') switch
        {
            [var d, var c] => (d, c),
            [var c] => ("0", c),
            _ => ("", ""),
        };
        var parts = clock.Split(':');
        return days.Length > 0 && days.All(char.IsAsciiDigit) && parts.Length <= 3
            && parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit));
    }
}
