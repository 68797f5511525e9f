namespace DataFlow.Mpi.Tests;

/// <summary>
/// A fact that starts MPI ranks; skipped, with the reason, when mpirun or libmpi.so.40 is missing (scripts/install-cluster-deps.sh
/// installs them), unless DATAFLOW_REQUIRE_MPI=1: then it runs and fails, naming what is missing (<see cref="RequiredToolsCheckAttribute"/>).
/// </summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (MpiRun.Missing() is { } why && !MpiRun.Required) Skip = why;
    }
}
