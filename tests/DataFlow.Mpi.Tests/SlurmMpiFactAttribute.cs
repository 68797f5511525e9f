using System.Diagnostics;

namespace DataFlow.Mpi.Tests;

/// <summary>A fact that launches MPI ranks through Slurm; skipped unless Open MPI is installed and slurmctld answers (scripts/slurm-up.sh).</summary>
public sealed class SlurmMpiFactAttribute : FactAttribute
{
    public SlurmMpiFactAttribute()
    {
        if (MpiRun.Missing() is { } why) { Skip = why; return; }
        try
        {
            using var ping = Process.Start(new ProcessStartInfo("scontrol", "ping") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = ping.StandardOutput.ReadToEnd();
            ping.WaitForExit();
            if (!output.Contains("UP", StringComparison.Ordinal)) Skip = "slurmctld is not answering; run scripts/slurm-up.sh as root";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Skip = "Slurm is not installed; run scripts/slurm-up.sh as root";
        }
    }
}
