// One Slurm cluster and two cores: the integration tests take turns.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
