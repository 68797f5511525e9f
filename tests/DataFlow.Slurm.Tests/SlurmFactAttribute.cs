using DataFlow.Engine.Execution.Slurm;

namespace DataFlow.Slurm.Tests;

/// <summary>
/// A fact that needs a live Slurm controller; skipped, with the reason, when there is none (start one with scripts/slurm-up.sh),
/// unless DATAFLOW_REQUIRE_SLURM=1: then it runs and fails, naming what is missing (<see cref="RequiredSlurmCheckAttribute"/>).
/// </summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (Missing() is { } why && !Required) Skip = why;
    }

    /// <summary>CI sets DATAFLOW_REQUIRE_SLURM=1 once sinfo answers after scripts/slurm-up.sh, so that Slurm tests fail rather than skip.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("DATAFLOW_REQUIRE_SLURM") == "1";

    /// <summary>Why Slurm cannot run these tests here, or null when slurmctld answers.</summary>
    public static string? Missing() =>
        SlurmClient.IsAvailable(out var why) ? null : $"Slurm is not available ({why}); run scripts/slurm-up.sh as root";
}
