namespace DataFlow.Mpi.Tests;

/// <summary>A fact that starts MPI ranks; skipped, with the reason, when mpirun or libmpi.so.40 is missing (scripts/install-cluster-deps.sh installs them).</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (MpiRun.Missing() is { } why) Skip = why;
    }
}
