using System.Globalization;

namespace DataFlow.Engine.Jobs;

/// <summary>
/// The stats a training stage (pretrain, SFT, reward, PPO) reports instead of document counts: optimizer steps,
/// tokens trained, tokens per second, the last training loss, the final held-out metrics (<c>final_*</c>) and, where the
/// trainer measured it, model FLOPs utilisation. The run summary, <c>dataflow status</c> and the HTML report show them.
/// </summary>
public static class TrainingStats
{
    public const string Steps = "train_steps";
    public const string Tokens = "train_tokens";
    public const string FirstStep = "train_first_step";
    public const string TokensPerSecond = "train_tokens_per_second";
    public const string Seconds = "train_seconds";
    public const string LastLoss = "train_last_loss";

    /// <summary>Model FLOPs utilisation, 0..1 (set only by a trainer that measured the machine's peak).</summary>
    public const string Mfu = "train_mfu";

    public const string FinalPrefix = "final_";

    /// <summary>The held-out metrics a summary shows, in order, where the stage has them: (key after final_, label, is a fraction).</summary>
    private static readonly (string Key, string Label, bool Fraction)[] HeldOutMetrics =
    [
        ("val_loss", "val loss", false),     // pretrain
        ("eval_loss", "eval loss", false),   // SFT, reward
        ("exact_match", "exact", true),      // SFT
        ("eval_accuracy", "accuracy", true), // reward
        ("eval_reward", "reward", false),    // PPO: learned reward, KL to the SFT policy and true score, greedy on held-out prompts
        ("eval_kl", "KL", false),
        ("eval_true_score", "true", true),
    ];

    /// <summary>Records what a training task did (steps and tokens of this invocation; held-out metrics of its last evaluation).</summary>
    public static void Record(TaskStats stats, long firstStep, long steps, long tokens, double seconds, double? lastLoss,
        IEnumerable<KeyValuePair<string, double>> finalEval, double? mfu = null)
    {
        stats.Add(Steps, steps);
        stats.Add(Tokens, tokens);
        stats.SetValue(FirstStep, firstStep);
        stats.SetValue(Seconds, seconds);
        stats.SetValue(TokensPerSecond, tokens / Math.Max(1e-9, seconds));
        if (lastLoss is { } loss) stats.SetValue(LastLoss, loss);
        if (mfu is { } utilisation && double.IsFinite(utilisation)) stats.SetValue(Mfu, utilisation);
        foreach (var (key, value) in finalEval)
            if (double.IsFinite(value)) stats.SetValue(FinalPrefix + key, value);
    }

    public static bool IsTraining(TaskStats stats) => stats.Counters.ContainsKey(Steps);

    /// <summary>"val loss 3.300" or "reward 0.412, KL 0.021, true 40.0%": the stage's last held-out evaluation (null: none ran).</summary>
    public static string? HeldOut(TaskStats stats)
    {
        var parts = HeldOutMetrics.Where(m => stats.Values.ContainsKey(FinalPrefix + m.Key))
            .Select(m => $"{m.Label} {(m.Fraction ? Percent(stats.Values[FinalPrefix + m.Key]) : stats.Values[FinalPrefix + m.Key].ToString("F3", CultureInfo.InvariantCulture))}").ToList();
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    /// <summary>
    /// "6 steps, 1,536 tokens, 812 tok/s, loss 3.2100, val loss 3.300, MFU 41.0%", or null for a stage that is not
    /// training (the line a finished training stage prints).
    /// </summary>
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
        if (HeldOut(stats) is { } heldOut) parts.Add(heldOut);
        if (stats.Values.TryGetValue(Mfu, out var mfu)) parts.Add($"MFU {Percent(mfu)}");
        return string.Join(", ", parts);
    }

    /// <summary>0.507 -> "50.7%".</summary>
    public static string Percent(double fraction) => (fraction * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";
}
