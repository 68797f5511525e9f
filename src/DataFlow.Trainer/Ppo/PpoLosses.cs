using DataFlow.Trainer.Generation;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Ppo;

/// <summary>
/// The PPO objectives as small functions over per-token tensors and a response mask (1 = generated token):
/// clipped surrogate, clipped value loss, per-token KL estimate, masked whitening, and the diagnostics PPO runs report.
/// </summary>
public static class PpoLosses
{
    /// <summary>
    /// Mean over masked positions; with <paramref name="denominator"/>, the masked sum divided by it instead (a
    /// data-parallel rank's share of a mean over the whole minibatch, <see cref="Distributed.DataParallel.MeanDenominator"/>).
    /// </summary>
    public static Tensor MaskedMean(Tensor x, Tensor mask, double? denominator = null) =>
        denominator is { } d ? (x * mask).sum() / d : (x * mask).sum() / mask.sum().clamp_min(1);

    /// <summary>max(-A r, -A clip(r, 1 - eps, 1 + eps)) with r = exp(logp - logp_old); also the fraction of clipped tokens and the approx KL.</summary>
    public static (Tensor Loss, double ClipFraction, double ApproxKl) ClippedPolicy(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor mask, double clip,
        double? denominator = null)
    {
        var logRatio = logProbs - oldLogProbs;
        var ratio = logRatio.exp();
        var unclipped = -advantages * ratio;
        var clipped = -advantages * ratio.clamp(1 - clip, 1 + clip);
        var loss = MaskedMean(maximum(unclipped, clipped), mask, denominator);
        using var noGrad = no_grad();
        var clipFraction = MaskedMean((clipped > unclipped).to(float32), mask, denominator).item<float>();
        // k3 estimator of KL(old || new) (Schulman's "approximating KL"): (r - 1) - log r, non-negative, low variance.
        var approxKl = MaskedMean(ratio - 1 - logRatio, mask, denominator).item<float>();
        return (loss, clipFraction, approxKl);
    }

    /// <summary>0.5 * max((V - R)^2, (clip(V, V_old - eps, V_old + eps) - R)^2): the critic cannot move far from the rollout's values.</summary>
    public static Tensor ClippedValue(Tensor values, Tensor oldValues, Tensor returns, Tensor mask, double clip, double? denominator = null)
    {
        var clippedValues = oldValues + (values - oldValues).clamp(-clip, clip);
        return 0.5 * MaskedMean(maximum((values - returns).pow(2), (clippedValues - returns).pow(2)), mask, denominator);
    }

    /// <summary>Per-token KL penalty estimate log pi(a|s) - log pi_ref(a|s) (k1, the sampled-token estimator InstructGPT and the reward penalty use).</summary>
    public static Tensor KlPerToken(Tensor logProbs, Tensor refLogProbs) => logProbs - refLogProbs;

    /// <summary>
    /// Per-token k3 estimate of KL(pi || pi_ref) (Schulman, "Approximating KL Divergence"): (r - 1) - log r with
    /// r = pi_ref(a|s) / pi(a|s); unbiased like k1 but never negative.
    /// </summary>
    public static Tensor KlK3PerToken(Tensor logProbs, Tensor refLogProbs)
    {
        var logRatio = refLogProbs - logProbs;
        return logRatio.exp() - 1 - logRatio;
    }

    /// <summary>
    /// The KL of a rollout as TRL logs it: per sequence, the sum over its response tokens (mask) of the k1 and of the
    /// k3 estimate, then the mean over sequences.
    /// </summary>
    public static (double K1, double K3) SequenceKl(Tensor logProbs, Tensor refLogProbs, Tensor mask)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var k1 = (KlPerToken(logProbs, refLogProbs) * mask).sum(-1).mean().item<float>();
        var k3 = (KlK3PerToken(logProbs, refLogProbs) * mask).sum(-1).mean().item<float>();
        return (k1, k3);
    }

    /// <summary>(x - mean) / std over masked positions (advantage whitening); shift_mean false keeps the mean (for rewards).</summary>
    public static Tensor Whiten(Tensor x, Tensor mask, bool shiftMean = true)
    {
        var mean = MaskedMean(x, mask);
        var variance = MaskedMean((x - mean).pow(2), mask);
        var whitened = (x - mean) * (variance + 1e-8).rsqrt();
        if (!shiftMean) whitened += mean;
        return whitened * mask;
    }

    /// <summary>Entropy of the policy's next-token distribution at each position, from logits [B, T, V].</summary>
    public static Tensor Entropy(Tensor logits)
    {
        var logp = logits.log_softmax(-1);
        return -(logp.exp() * logp).sum(-1);
    }

    /// <summary>
    /// Log-probability of each taken token at the sampling temperature (logits / (temperature + 1e-7), as TRL and as
    /// <see cref="TextGenerator"/> samples): logits [B, T, V], tokens [B, T] -> [B, T].
    /// </summary>
    public static Tensor TokenLogProbs(Tensor logits, Tensor tokens, double temperature) => TextGenerator.TokenLogProbs(logits, tokens, temperature);

    /// <summary>1 - Var(R - V) / Var(R) over masked positions: how much of the return variance the critic explains.</summary>
    public static double ExplainedVariance(Tensor values, Tensor returns, Tensor mask)
    {
        using var noGrad = no_grad();
        var mean = MaskedMean(returns, mask);
        var varianceReturns = MaskedMean((returns - mean).pow(2), mask).item<float>();
        var residual = returns - values;
        var residualMean = MaskedMean(residual, mask);
        var varianceResidual = MaskedMean((residual - residualMean).pow(2), mask).item<float>();
        return varianceReturns < 1e-12 ? double.NaN : 1 - varianceResidual / varianceReturns;
    }
}
