namespace DataFlow.Trainer.Ppo;

/// <summary>Paired PPO-vs-SFT statistics on held-out prompts: greedy true score and learned reward, and the sampled ones when measured.</summary>
public sealed record PpoComparison(PairedComparison TrueScore, PairedComparison Reward, PairedComparison? SampledTrueScore, PairedComparison? SampledReward)
{
    /// <summary>Flat metrics (prefix_gain, prefix_ci_low, prefix_ci_high, prefix_better, prefix_worse, prefix_p) for metrics.jsonl and eval.json.</summary>
    public Dictionary<string, object> ToMetrics(string prefix)
    {
        var result = new Dictionary<string, object>();
        void Add(string name, PairedComparison? c)
        {
            if (c is null) return;
            result[$"{prefix}{name}_gain"] = c.MeanDifference;
            result[$"{prefix}{name}_gain_se"] = c.StandardError;
            result[$"{prefix}{name}_gain_ci_low"] = c.CiLow;
            result[$"{prefix}{name}_gain_ci_high"] = c.CiHigh;
            result[$"{prefix}{name}_better"] = c.Improved;
            result[$"{prefix}{name}_worse"] = c.Worsened;
            result[$"{prefix}{name}_sign_test_p"] = c.SignTestP;
        }
        Add("true_score", TrueScore);
        Add("reward", Reward);
        Add("sampled_true_score", SampledTrueScore);
        Add("sampled_reward", SampledReward);
        return result;
    }
}
