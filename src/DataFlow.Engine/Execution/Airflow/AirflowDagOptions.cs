namespace DataFlow.Engine.Execution.Airflow;

/// <summary>What a generated DAG runs: the pipeline, its run folder, the CLI, and whether stages go to Slurm.</summary>
public sealed record AirflowDagOptions
{
    public required string DagId { get; init; }
    public required string PipelineFile { get; init; }
    public required string RunDir { get; init; }

    /// <summary>Folder the CLI runs in (relative paths in the pipeline resolve against it).</summary>
    public required string WorkingDir { get; init; }

    /// <summary>The command that starts `dataflow` on the Airflow worker.</summary>
    public required IReadOnlyList<string> Launcher { get; init; }

    /// <summary>True when <see cref="Launcher"/> is one shell string written by the user (used verbatim, not quoted).</summary>
    public bool LauncherIsShell { get; init; }

    /// <summary>True: each Airflow task submits its stage to Slurm and waits (<c>dataflow submit --stage S --wait</c>); false: runs it on the worker.</summary>
    public bool Slurm { get; init; }

    /// <summary>Extra `dataflow submit` options in Slurm mode (partition, cpus, retries...), as one shell string.</summary>
    public string SlurmArgs { get; init; } = "";

    /// <summary>Airflow retries per task; safe because a rerun of a stage skips completed tasks.</summary>
    public int Retries { get; init; } = 2;
}
