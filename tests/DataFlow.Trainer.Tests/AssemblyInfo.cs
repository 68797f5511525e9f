// libtorch's thread count and default random generator are process-wide: tests that train or seed must not interleave.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
