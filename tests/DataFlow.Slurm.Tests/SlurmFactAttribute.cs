using DataFlow.Engine.Execution.Slurm;

namespace DataFlow.Slurm.Tests;

/// <summary>A fact that needs a live Slurm controller; skipped, with the reason, when there is none (start one with scripts/slurm-up.sh).</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (!SlurmClient.IsAvailable(out var why)) Skip = $"Slurm is not available ({why}); run scripts/slurm-up.sh as root";
    }
}
