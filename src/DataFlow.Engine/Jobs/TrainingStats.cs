using System.Globalization;

namespace DataFlow.Engine.Jobs;

/// <summary>
/// The stats a training stage (pretrain, SFT, reward, PPO) reports instead of document counts: optimizer steps,
/// tokens trained, tokens per second, the last training loss and the final held-out metrics (<c>final_*</c>).
/// The run summary, <c>dataflow status</c> and the HTML report show <see cref="Describe"/> for such a stage.
/// </summary>
public static class TrainingStats
{
    public const string Steps = "train_steps";
    public const string Tokens = "train_tokens";
    public const string FirstStep = "train_first_step";
    public const string TokensPerSecond = "train_tokens_per_second";
    public const string Seconds = "train_seconds";
    public const string LastLoss = "train_last_loss";
    public const string FinalPrefix = "final_";

    /// <summary>Records what a training task did (steps and tokens of this invocation; held-out metrics of its last evaluation).</summary>
    public static void Record(TaskStats stats, long firstStep, long steps, long tokens, double seconds, double? lastLoss, IEnumerable<KeyValuePair<string, double>> finalEval)
    {
        stats.Add(Steps, steps);
        stats.Add(Tokens, tokens);
        stats.SetValue(FirstStep, firstStep);
        stats.SetValue(Seconds, seconds);
        stats.SetValue(TokensPerSecond, tokens / Math.Max(1e-9, seconds));
        if (lastLoss is { } loss) stats.SetValue(LastLoss, loss);
        foreach (var (key, value) in finalEval)
            if (double.IsFinite(value)) stats.SetValue(FinalPrefix + key, value);
    }

    public static bool IsTraining(TaskStats stats) => stats.Counters.ContainsKey(Steps);

    /// <summary>"6 steps, 1,536 tokens, 812 tok/s, loss 3.2100, val_loss 3.3000", or null for a stage that is not training.</summary>
    public static string? Describe(TaskStats stats)
    {
        if (!IsTraining(stats)) return null;
        var c = CultureInfo.InvariantCulture;
        var parts = new List<string>
        {
            string.Create(c, $"{stats.Counter(Steps):N0} steps"),
            string.Create(c, $"{stats.Counter(Tokens):N0} tokens"),
            string.Create(c, $"{stats.Values.GetValueOrDefault(TokensPerSecond):N0} tok/s"),
        };
        if (stats.Values.TryGetValue(LastLoss, out var loss)) parts.Add(string.Create(c, $"loss {loss:F4}"));
        foreach (var key in new[] { "val_loss", "eval_loss", "eval_accuracy", "eval_true_score" })
            if (stats.Values.TryGetValue(FinalPrefix + key, out var value)) parts.Add(string.Create(c, $"{key} {value:F4}"));
        return string.Join(", ", parts);
    }
}
