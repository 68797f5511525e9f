// One Slurm cluster and two cores: the integration tests take turns.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
// DATAFLOW_REQUIRE_SLURM=1 (CI): a Slurm fact that would have skipped fails, saying what is missing.
[assembly: DataFlow.Slurm.Tests.RequiredSlurmCheck]
