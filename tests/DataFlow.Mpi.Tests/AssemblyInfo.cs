// Two cores: MPI runs take turns.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
// DATAFLOW_REQUIRE_MPI / _SLURM=1 (CI): a fact that would have skipped fails, saying what is missing.
[assembly: DataFlow.Mpi.Tests.RequiredToolsCheck]
