namespace DataFlow.Trainer.Ppo;

/// <summary>
/// Running mean and standard deviation of scores across batches (Chan et al. parallel update), used to scale
/// rewards to unit variance before clipping (MOSS PPO-max "reward normalization and clipping").
/// </summary>
public sealed class RunningMoments
{
    public double Mean { get; private set; }
    public double Variance { get; private set; } = 1;
    public long Count { get; private set; }
    public double Std => Math.Sqrt(Variance);

    public void Update(IReadOnlyList<double> batch)
    {
        if (batch.Count == 0) return;
        var batchMean = batch.Average();
        var batchVariance = batch.Sum(x => (x - batchMean) * (x - batchMean)) / batch.Count;
        var total = Count + batch.Count;
        var delta = batchMean - Mean;
        var m2 = Variance * Count + batchVariance * batch.Count + delta * delta * Count * batch.Count / total;
        Mean += delta * batch.Count / total;
        Variance = Count == 0 ? batchVariance : m2 / total;
        Count = total;
    }

    /// <summary>(score - mean) / std, clipped to [-clip, clip]: rewards on a fixed scale whatever the reward model's offset.</summary>
    public double Normalize(double score, double clip) => Math.Clamp((score - Mean) / Math.Max(Std, 1e-6), -clip, clip);

    public void Restore(double mean, double variance, long count) => (Mean, Variance, Count) = (mean, variance, count);
}
