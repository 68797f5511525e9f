namespace DataFlow.Trainer.Training;

/// <summary>
/// The best speed of one <see cref="MatmulShape"/>: FLOP per wall second, and FLOP per CPU-second of the whole process
/// (all threads), which a shared machine disturbs far less than wall time.
/// </summary>
public sealed record MatmulTiming(MatmulShape Shape, double Flops, double FlopsPerCpuSecond);
