namespace DataFlow.Trainer.Ppo;

/// <summary>
/// A policy's answers to held-out prompts, kept per prompt so two policies can be compared pairwise: greedy answer's
/// learned reward and true task score, summed KL of the answer to the reference, and (when sampled answers are asked
/// for) the mean learned reward and true score of several sampled answers per prompt.
/// </summary>
public sealed record PpoEvaluation(
    IReadOnlyList<double> Rewards, IReadOnlyList<double> TrueScores, IReadOnlyList<double> Kls,
    IReadOnlyList<double> SampledRewards, IReadOnlyList<double> SampledTrueScores, int SamplesPerPrompt)
{
    public static readonly PpoEvaluation Empty = new([], [], [], [], [], 0);

    public int Count => TrueScores.Count;
    public double Reward => Mean(Rewards);
    public double TrueScore => Mean(TrueScores);
    public double Kl => Mean(Kls);
    public double SampledReward => Mean(SampledRewards);
    public double SampledTrueScore => Mean(SampledTrueScores);

    /// <summary>This policy (candidate) against <paramref name="baseline"/> (the SFT policy) on the same prompts.</summary>
    public PpoComparison CompareTo(PpoEvaluation baseline, int seed = 1) => new(
        PairedComparison.Of(baseline.TrueScores, TrueScores, seed: seed),
        PairedComparison.Of(baseline.Rewards, Rewards, seed: seed),
        SamplesPerPrompt > 0 && baseline.SamplesPerPrompt > 0 ? PairedComparison.Of(baseline.SampledTrueScores, SampledTrueScores, seed: seed) : null,
        SamplesPerPrompt > 0 && baseline.SamplesPerPrompt > 0 ? PairedComparison.Of(baseline.SampledRewards, SampledRewards, seed: seed) : null);

    private static double Mean(IReadOnlyList<double> values) => values.Count == 0 ? 0 : values.Average();
}
