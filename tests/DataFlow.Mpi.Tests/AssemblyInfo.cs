// Two cores: MPI runs take turns.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
