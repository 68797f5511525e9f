using DataFlow.Trainer.Ppo;

namespace DataFlow.Trainer.Tests.Ppo;

public class PairedComparisonTests
{
    [Fact]
    public void Paired_statistic_matches_a_hand_computed_example()
    {
        // Per-prompt 0/1 scores of SFT and PPO on 8 prompts: PPO fixes prompts 1, 3, 4, 6 and breaks prompt 7.
        double[] sft = [1, 0, 1, 0, 0, 1, 0, 1];
        double[] ppo = [1, 1, 1, 1, 1, 1, 1, 0];
        var c = PairedComparison.Of(sft, ppo);
        Assert.Equal(8, c.Count);
        Assert.Equal(0.5, c.BaselineMean, 12);
        Assert.Equal(0.875, c.CandidateMean, 12);
        // Differences 0,1,0,1,1,0,1,-1: mean 3/8; squared deviations 3 x 9/64 + 4 x 25/64 + 121/64 = 248/64;
        // sample variance (248/64)/7, standard error sqrt(that / 8).
        Assert.Equal(0.375, c.MeanDifference, 12);
        Assert.Equal(Math.Sqrt(248.0 / 64 / 7 / 8), c.StandardError, 12);
        // McNemar exact: 4 discordant for PPO, 1 against; p = 2 * P(X <= 1 | n = 5, 1/2) = 2 * 6/32.
        Assert.Equal((4, 1), (c.Improved, c.Worsened));
        Assert.Equal(0.375, c.SignTestP, 12);
        Assert.True(c.CiLow <= c.MeanDifference && c.MeanDifference <= c.CiHigh);
        Assert.True(c.CiLow >= -1 && c.CiHigh <= 1);
        Assert.StartsWith("+37.50 points [", c.Describe());
        Assert.EndsWith("4 better / 1 worse of 8, sign test p = 0.375", c.Describe());
    }

    [Fact]
    public void Sign_test_against_binomial_tails()
    {
        Assert.Equal(2.0 / 32, PairedComparison.SignTest(5, 0), 12);     // 2 * (1/2)^5
        Assert.Equal(2.0 * 8 / 128, PairedComparison.SignTest(1, 6), 12); // 2 * (1 + 7) / 2^7
        Assert.Equal(1.0, PairedComparison.SignTest(3, 3), 12);           // capped at 1
        Assert.Equal(1.0, PairedComparison.SignTest(0, 0), 12);
        // Large n stays finite: 600 vs 400 discordant prompts is far beyond chance (z = 6.3).
        var p = PairedComparison.SignTest(600, 400);
        Assert.InRange(p, 1e-12, 1e-8);
    }

    [Fact]
    public void Bootstrap_interval_is_degenerate_for_a_constant_difference_and_near_normal_for_many_prompts()
    {
        var constant = PairedComparison.Of([0.0, 0.5, 1.0], [0.25, 0.75, 1.25]);
        Assert.Equal(0.25, constant.CiLow, 12);
        Assert.Equal(0.25, constant.CiHigh, 12);
        Assert.Equal(0, constant.StandardError, 12);

        // 2,000 prompts whose differences are +1 (300), -1 (200), 0 (1,500): the percentile interval is close to mean +- 1.96 SE.
        var baseline = new double[2000];
        var candidate = new double[2000];
        for (var i = 0; i < 300; i++) candidate[i] = 1;
        for (var i = 300; i < 500; i++) baseline[i] = 1;
        var c = PairedComparison.Of(baseline, candidate, seed: 3);
        Assert.Equal(0.05, c.MeanDifference, 12);
        Assert.InRange(c.CiLow, c.MeanDifference - 1.96 * c.StandardError - 0.003, c.MeanDifference - 1.96 * c.StandardError + 0.003);
        Assert.InRange(c.CiHigh, c.MeanDifference + 1.96 * c.StandardError - 0.003, c.MeanDifference + 1.96 * c.StandardError + 0.003);
        Assert.True(c.CandidateBetter);
        // Seeded: the same inputs give the same interval.
        Assert.Equal(c, PairedComparison.Of(baseline, candidate, seed: 3));
    }

    [Fact]
    public void Evaluations_compare_prompt_by_prompt_and_unequal_counts_are_refused()
    {
        var sft = new PpoEvaluation([0.1, 0.2], [0, 1], [0, 0], [0.0, 0.4], [0.25, 0.5], 4);
        var ppo = new PpoEvaluation([0.3, 0.2], [1, 1], [0.1, 0.2], [0.2, 0.4], [0.5, 0.75], 4);
        var comparison = ppo.CompareTo(sft);
        Assert.Equal(0.5, comparison.TrueScore.MeanDifference, 12);
        Assert.Equal(0.1, comparison.Reward.MeanDifference, 12);
        Assert.Equal(0.25, comparison.SampledTrueScore!.MeanDifference, 12);
        Assert.Equal(0.1, comparison.SampledReward!.MeanDifference, 12);
        var metrics = comparison.ToMetrics("eval_vs_sft_");
        Assert.Equal(0.5, (double)metrics["eval_vs_sft_true_score_gain"], 12);
        Assert.Equal(1, (int)metrics["eval_vs_sft_true_score_better"]);
        Assert.Null(ppo.CompareTo(sft with { SamplesPerPrompt = 0, SampledRewards = [], SampledTrueScores = [] }).SampledTrueScore);
        Assert.Throws<ArgumentException>(() => PairedComparison.Of([1.0, 0.0], [1.0]));
    }
}
