using DataFlow.Trainer.Ppo;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests.Ppo;

public class PpoMathTests
{
    [Fact]
    public void Gae_matches_a_hand_computed_example()
    {
        // gamma 1, lambda 0.5: deltas 0.1, 0.1, 0.3 -> A2 = 0.3, A1 = 0.1 + 0.5 * 0.3, A0 = 0.1 + 0.5 * 0.25.
        var (advantages, returns) = Gae.Compute([0f, 0f, 1f], [0.5f, 0.6f, 0.7f], gamma: 1.0, lambda: 0.5);
        Assert.Equal([0.225f, 0.25f, 0.3f], advantages.Select(a => MathF.Round(a, 5)));
        Assert.Equal([0.725f, 0.85f, 1.0f], returns.Select(r => MathF.Round(r, 5)));

        // gamma 0.9, lambda 0.95: deltas 0.04, 0.03, 0.3; A1 = 0.03 + 0.855 * 0.3, A0 = 0.04 + 0.855 * A1.
        var (a2, _) = Gae.Compute([0f, 0f, 1f], [0.5f, 0.6f, 0.7f], gamma: 0.9, lambda: 0.95);
        Assert.Equal(0.2849575, a2[0], 5);
        Assert.Equal(0.2865, a2[1], 5);

        // lambda 1, gamma 1: advantages are Monte Carlo returns minus values.
        var (mc, _) = Gae.Compute([1f, 2f, 3f], [1f, 1f, 1f], 1.0, 1.0);
        Assert.Equal([5f, 4f, 2f], mc);
    }

    [Fact]
    public void Group_baseline_subtracts_the_mean_of_the_other_answers_to_the_same_prompt()
    {
        // Two prompts, three answers each: 1 - (2 + 3) / 2 = -1.5, 2 - 2 = 0, 3 - 1.5 = 1.5; 10 - 10 = 0, 10 - 10 = 0, 10 - 10 = 0.
        Assert.Equal([-1.5f, 0f, 1.5f, 0f, 0f, 0f], PpoTrainer.GroupBaseline([1f, 2f, 3f, 10f, 10f, 10f], 3));
        float[] scores = [4f, -2f];
        Assert.Same(scores, PpoTrainer.GroupBaseline(scores, 1));
        Assert.Throws<ArgumentException>(() => new PpoConfig { Prompts = ["p"], Actor = "a", Reward = "r", Output = "o", RolloutBatch = 64, MiniBatch = 32, GroupSize = 3 }.Validate());
        var ptx = Assert.Throws<ArgumentException>(() => new PpoConfig { Prompts = ["p"], Actor = "a", Reward = "r", Output = "o", PtxMaxTokens = 0 }.Validate());
        Assert.Contains("ptx_max_tokens", ptx.Message);
        Assert.Equal(128, new PpoConfig { Prompts = ["p"], Actor = "a", Reward = "r", Output = "o" }.PtxMaxTokens);
    }

    [Fact]
    public void Clipped_policy_loss_takes_the_pessimistic_term_and_reports_clip_fraction_and_approx_kl()
    {
        // Ratios 1.5, 1.5, 0.5, 0.5 with advantages +1, -1, +1, -1, and a fifth masked-out token with wild values.
        var logProbs = tensor(new[] { MathF.Log(1.5f), MathF.Log(1.5f), MathF.Log(0.5f), MathF.Log(0.5f), 3f }).requires_grad_();
        var old = zeros(5);
        var advantages = tensor(new[] { 1f, -1f, 1f, -1f, 100f });
        var mask = tensor(new[] { 1f, 1f, 1f, 1f, 0f });
        var (loss, clipFraction, approxKl) = PpoLosses.ClippedPolicy(logProbs, old, advantages, mask, clip: 0.2);
        // Per token: max(-1.5, -1.2) = -1.2; max(1.5, 1.2) = 1.5; max(-0.5, -0.8) = -0.5; max(0.5, 0.8) = 0.8.
        Assert.Equal(0.15, loss.item<float>(), 5);
        Assert.Equal(0.5, clipFraction, 5);
        Assert.Equal((2 * (0.5 - Math.Log(1.5)) + 2 * (-0.5 - Math.Log(0.5))) / 4, approxKl, 5);
        loss.backward();
        // Clipped tokens (1 and 4) and the masked token carry no gradient; d(-A r)/d logp = -A r.
        Assert.Equal([0f, 1.5f / 4, -0.5f / 4, 0f, 0f], logProbs.grad!.data<float>().ToArray().Select(g => MathF.Round(g, 5)));
    }

    [Fact]
    public void Clipped_value_loss_keeps_the_larger_error()
    {
        var loss = PpoLosses.ClippedValue(tensor(new[] { 1f, 0f }), tensor(new[] { 0.5f, 0.5f }), tensor(new[] { 2f, 0f }), ones(2), clip: 0.2);
        // Token 0: max((1-2)^2, (0.7-2)^2) = 1.69; token 1: max(0, (0.3-0)^2) = 0.09; 0.5 * mean = 0.445.
        Assert.Equal(0.445, loss.item<float>(), 5);
    }

    [Fact]
    public void Kl_whitening_entropy_and_explained_variance()
    {
        Assert.Equal([0.5f, -0.25f], PpoLosses.KlPerToken(tensor(new[] { -1f, -2f }), tensor(new[] { -1.5f, -1.75f })).data<float>().ToArray());

        // Log-probs at temperature 0.5: logits (1, 2, 3) / 0.5 = (2, 4, 6); log p(2) = 6 - log(e^2 + e^4 + e^6) = -0.142932.
        Assert.Equal(-0.142932, PpoLosses.TokenLogProbs(tensor(new[] { 1f, 2f, 3f }).view(1, 1, 3), tensor(new long[] { 2 }).view(1, 1), 0.5).item<float>(), 5);

        var whitened = PpoLosses.Whiten(tensor(new[] { 1f, 2f, 3f, 100f }), tensor(new[] { 1f, 1f, 1f, 0f })).data<float>().ToArray();
        var s = (float)Math.Sqrt(1.5);
        Assert.Equal([-s, 0f, s, 0f], whitened.Select(w => MathF.Round(w, 4)).ToArray(), new RoundedComparer());

        var uniform = PpoLosses.Entropy(zeros(1, 1, 4)).item<float>();
        Assert.Equal(Math.Log(4), uniform, 5);
        var mask = ones(4);
        Assert.Equal(1.0, PpoLosses.ExplainedVariance(tensor(new[] { 1f, 2f, 3f, 4f }), tensor(new[] { 1f, 2f, 3f, 4f }), mask), 5);
        Assert.Equal(0.0, PpoLosses.ExplainedVariance(tensor(new[] { 0f, 0f, 0f, 0f }), tensor(new[] { 1f, 2f, 3f, 4f }), mask), 5);
    }

    [Fact]
    public void Kl_estimators_k1_and_k3_match_a_hand_computation()
    {
        // Two sequences; the third token of the second is padding (mask 0) with a wild value.
        var logProbs = tensor(new[] { -1f, -2f, -0.5f, -0.3f, -1.2f, -9f }).view(2, 3);
        var refLogProbs = tensor(new[] { -1.5f, -1f, -0.5f, -0.3f, -3.2f, 0f }).view(2, 3);
        var mask = tensor(new[] { 1f, 1f, 1f, 1f, 1f, 0f }).view(2, 3);
        // k1 = logp - logp_ref per token: (0.5 - 1 + 0) = -0.5 and (0 + 2) = 2; mean over sequences 0.75.
        // k3 = (r - 1) - log r, r = exp(logp_ref - logp): d = -0.5 -> e^-0.5 - 0.5 = 0.106531, d = 1 -> e - 2 = 0.718282,
        // d = 0 -> 0, d = -2 -> e^-2 + 1 = 1.135335; sequences 0.824813 and 1.135335, mean 0.980074.
        var (k1, k3) = PpoLosses.SequenceKl(logProbs, refLogProbs, mask);
        Assert.Equal(0.75, k1, 5);
        Assert.Equal(0.980074, k3, 5);
        Assert.Equal(0.718282, PpoLosses.KlK3PerToken(tensor(new[] { -2f }), tensor(new[] { -1f })).item<float>(), 5);
    }

    [Fact]
    public void Kl_controller_is_fixed_without_a_target_and_proportional_with_one()
    {
        var fixedBeta = new AdaptiveKlController(0.1, null, 10_000);
        fixedBeta.Update(50, 64);
        Assert.Equal(0.1, fixedBeta.Value);
        var adaptive = new AdaptiveKlController(0.1, 6, 10_000);
        adaptive.Update(12, 64); // error clipped to +0.2
        Assert.Equal(0.1 * (1 + 0.2 * 64 / 10_000.0), adaptive.Value, 12);
        adaptive.Update(3, 64);  // error -0.5 clipped to -0.2
        Assert.Equal(0.1 * (1 + 0.2 * 64 / 10_000.0) * (1 - 0.2 * 64 / 10_000.0), adaptive.Value, 12);
    }

    [Fact]
    public void Running_moments_merge_batches_and_normalize_with_clipping()
    {
        var moments = new RunningMoments();
        moments.Update([1, 2, 3]);
        moments.Update([4, 5]);
        Assert.Equal(3.0, moments.Mean, 10);
        Assert.Equal(2.0, moments.Variance, 10); // population variance of 1..5
        Assert.Equal(-1 / Math.Sqrt(2), moments.Normalize(2, 5), 10);
        Assert.Equal(1.0, moments.Normalize(100, 1.0));
    }

    private sealed class RoundedComparer : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) < 1e-3;
        public int GetHashCode(float obj) => 0;
    }
}
