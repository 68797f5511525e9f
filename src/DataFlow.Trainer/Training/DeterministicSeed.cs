namespace DataFlow.Trainer.Training;

/// <summary>
/// Seeds derived from (seed, epoch or iteration) that are the same in every process. HashCode.Combine is not: .NET
/// randomizes it per process, which made data order, and so SFT / reward / PPO results, differ from run to run.
/// </summary>
public static class DeterministicSeed
{
    public static int Of(long seed, long index) => (int)(unchecked(seed * 1_000_003L + index) & int.MaxValue);
}
