using DataFlow.Engine.Metrics;

namespace DataFlow.Trainer.Ppo;

/// <summary>One PNG per PPO metric (per training iteration, and the held-out eval points where they exist) from metrics.jsonl (<see cref="MetricsLog.Read"/>).</summary>
public static class PpoPlots
{
    private static readonly (string Key, string Title)[] Metrics =
    [
        ("reward_mean", "learned reward (mean of rollouts)"), ("reward_std", "learned reward std"), ("true_score", "true task score (rollouts)"),
        ("kl_k1", "KL to reference (k1, per sequence)"), ("kl_k3", "KL to reference (k3, per sequence)"), ("kl_coef", "KL coefficient"), ("entropy", "policy entropy"), ("clip_fraction", "clip fraction"),
        ("approx_kl", "approximate KL (old -> new)"), ("value_loss", "value loss"), ("explained_variance", "explained variance"),
        ("response_length", "response length (tokens)"), ("generation_s", "generation seconds"), ("scoring_s", "scoring seconds"), ("training_s", "training seconds"),
        ("eval_reward", "held-out learned reward (greedy)"), ("eval_true_score", "held-out true score (greedy)"), ("eval_kl", "held-out KL to reference"),
        ("eval_sampled_reward", "held-out learned reward (sampled)"), ("eval_sampled_true_score", "held-out true score (sampled)"),
        ("eval_vs_sft_true_score_gain", "true score gain over SFT, greedy (paired, 95 % CI dashed)"),
        ("eval_vs_sft_sampled_true_score_gain", "true score gain over SFT, sampled (paired, 95 % CI dashed)"),
    ];

    /// <returns>How many plots were written.</returns>
    public static int Write(string metricsPath, string directory)
    {
        Directory.CreateDirectory(directory);
        var metrics = MetricsLog.Read(metricsPath);
        IReadOnlyList<(double X, double Y)> Finite(string key) => metrics.Get(key)?.Where(p => double.IsFinite(p.Y)).ToList() ?? [];
        var written = 0;
        foreach (var (key, title) in Metrics)
        {
            var points = Finite(key);
            if (points.Count == 0) continue;
            var plot = new ScottPlot.Plot();
            plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
            // Paired gains come with their bootstrap interval: drawn as two dashed lines around the gain.
            foreach (var bound in new[] { "_ci_low", "_ci_high" })
            {
                var band = Finite(key + bound);
                if (band.Count == 0) continue;
                var line = plot.Add.Scatter(band.Select(p => p.X).ToArray(), band.Select(p => p.Y).ToArray());
                line.LinePattern = ScottPlot.LinePattern.Dashed;
                line.Color = ScottPlot.Colors.Gray;
            }
            plot.Title(title);
            plot.XLabel("PPO iteration");
            plot.SavePng(Path.Combine(directory, $"{key}.png"), 600, 360);
            written++;
        }
        return written;
    }
}
