using DataFlow.Engine.Execution.Slurm;

namespace DataFlow.Mpi.Tests;

/// <summary>
/// A fact that launches MPI ranks through Slurm; skipped unless Open MPI is installed and slurmctld answers (scripts/slurm-up.sh).
/// DATAFLOW_REQUIRE_MPI=1 / DATAFLOW_REQUIRE_SLURM=1 turn the matching skip into a failure (<see cref="RequiredToolsCheckAttribute"/>).
/// </summary>
public sealed class SlurmMpiFactAttribute : FactAttribute
{
    public SlurmMpiFactAttribute()
    {
        if (MpiRun.Missing() is { } mpi && !MpiRun.Required) Skip = mpi;
        else if (SlurmMissing() is { } slurm && !SlurmRequired) Skip = slurm;
    }

    /// <summary>CI sets DATAFLOW_REQUIRE_SLURM=1 once sinfo answers after scripts/slurm-up.sh.</summary>
    public static bool SlurmRequired => Environment.GetEnvironmentVariable("DATAFLOW_REQUIRE_SLURM") == "1";

    /// <summary>Why Slurm cannot run these tests here, or null when slurmctld answers.</summary>
    public static string? SlurmMissing() =>
        SlurmClient.IsAvailable(out var why) ? null : $"Slurm is not available ({why}); run scripts/slurm-up.sh as root";
}
