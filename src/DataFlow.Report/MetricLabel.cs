using System.Globalization;
using System.Text.RegularExpressions;

namespace DataFlow.Report;

/// <summary>
/// Turns the raw keys stages and trainers record (<c>final_eval_vs_sft_sampled_reward_gain_ci_high</c>,
/// <c>dropped.fineweb.line_punct_ratio</c>, <c>val_ppl</c>) into words a reader understands, with the unit their value
/// is shown in. Known keys have a written label; compound ones (final_, eval_, the paired "vs SFT" statistics) are
/// built from their parts; anything else falls back to its snake_case words with common abbreviations spelled out.
/// </summary>
public static partial class MetricLabel
{
    private static readonly Dictionary<string, (string Label, string Unit)> Known = new(StringComparer.Ordinal)
    {
        ["loss"] = ("Training loss", "nats"),
        ["val_loss"] = ("Validation loss", "nats"),
        ["eval_loss"] = ("Held-out loss", "nats"),
        ["val_ppl"] = ("Validation perplexity", ""),
        ["validation_perplexity"] = ("Validation perplexity", ""),
        ["lr"] = ("Learning rate", ""),
        ["grad_norm"] = ("Gradient norm (before clipping)", ""),
        ["tokens"] = ("Tokens", "count"),
        ["tokens_per_s"] = ("Training throughput", "tokens/s"),
        ["exact_match"] = ("Exact match", "%"),
        [DataFlow.Engine.Jobs.TrainingStats.Mfu] = ("Model FLOPs utilisation", "%"),
        ["true_score"] = ("True score", "%"),
        ["sampled_true_score"] = ("True score of sampled answers", "%"),
        ["accuracy"] = ("Pair accuracy", "%"),
        ["margin"] = ("Reward margin, chosen minus rejected", ""),
        ["longer_wins"] = ("Pairs where the longer answer is chosen", "%"),
        ["length_ties"] = ("Pairs of equal length", "%"),
        ["reward"] = ("Learned reward", ""),
        ["sampled_reward"] = ("Learned reward of sampled answers", ""),
        ["reward_mean"] = ("Learned reward of rollouts (mean)", ""),
        ["reward_std"] = ("Learned reward of rollouts (std. dev.)", ""),
        ["kl"] = ("KL to the reference policy", "nats"),
        ["kl_k1"] = ("KL to the reference policy (k1 estimate)", "nats"),
        ["kl_k3"] = ("KL to the reference policy (k3 estimate)", "nats"),
        ["kl_coef"] = ("KL penalty coefficient", ""),
        ["entropy"] = ("Policy entropy", "nats"),
        ["clip_fraction"] = ("Clipped policy ratios", "%"),
        ["approx_kl"] = ("Approximate KL per update", "nats"),
        ["policy_loss"] = ("Policy loss", ""),
        ["value_loss"] = ("Value (critic) loss", ""),
        ["explained_variance"] = ("Explained variance of the critic", ""),
        ["response_length"] = ("Response length", "tokens"),
        ["generation_s"] = ("Generation time per iteration", "s"),
        ["scoring_s"] = ("Scoring time per iteration", "s"),
        ["training_s"] = ("Training time per iteration", "s"),
        ["generation_tokens_per_s"] = ("Generation throughput", "tokens/s"),
        ["prompts"] = ("Prompts", "count"),
        ["samples_per_prompt"] = ("Samples per prompt", "count"),
        ["seconds"] = ("Wall time", "s"),
        ["seconds_hashing"] = ("Time spent hashing", "s"),
        ["docs_in"] = ("Documents in", "count"),
        ["docs_out"] = ("Documents out", "count"),
        ["docs_rejected"] = ("Bad records skipped", "count"),
        ["docs_rewritten"] = ("Documents rewritten", "count"),
        ["bytes_in"] = ("Text in", "MB"),
        ["bytes_out"] = ("Text out", "MB"),
        ["tokens_out"] = ("Tokens out", "count"),
        ["train_steps"] = ("Optimizer steps", "count"),
        ["train_tokens"] = ("Tokens trained", "count"),
        ["train_first_step"] = ("First step of this invocation", "count"),
        ["train_last_loss"] = ("Last training loss", "nats"),
        ["train_seconds"] = ("Training time", "s"),
        ["train_tokens_per_second"] = ("Training throughput", "tokens/s"),
        ["duplicate_exact"] = ("Exact duplicate", "count"),
        ["duplicate_near"] = ("Near duplicate (MinHash)", "count"),
        ["duplicate_url"] = ("Duplicate URL", "count"),
        ["duplicate_sentences"] = ("Mostly duplicate sentences", "count"),
        ["win_rate_reward_model"] = ("Win rate judged by the reward model", "%"),
        ["win_rate_true_score"] = ("Win rate judged by the true score", "%"),
        ["by_reward_model"] = ("Judged by the reward model", "%"),
        ["by_true_score"] = ("Judged by the true score", "%"),
    };

    // Words of the snake_case fallback that read better spelled out or cased.
    private static readonly Dictionary<string, string> Spelled = new(StringComparer.Ordinal)
    {
        ["ppl"] = "perplexity", ["lr"] = "learning rate", ["kl"] = "KL", ["ci"] = "CI", ["se"] = "standard error",
        ["pii"] = "PII", ["ipv4"] = "IPv4", ["ipv6"] = "IPv6", ["url"] = "URL", ["urls"] = "URLs", ["docs"] = "documents",
        ["doc"] = "document", ["dup"] = "duplicate", ["para"] = "paragraph", ["char"] = "character", ["chars"] = "characters",
        ["frac"] = "fraction", ["punct"] = "punctuation", ["num"] = "number", ["avg"] = "average", ["std"] = "std. dev.",
        ["fineweb"] = "FineWeb", ["c4"] = "C4", ["gopher"] = "Gopher", ["minhash"] = "MinHash", ["sft"] = "SFT",
        ["ppo"] = "PPO", ["rm"] = "reward model", ["eval"] = "held-out", ["val"] = "validation", ["s"] = "seconds",
        ["id"] = "ID", ["ids"] = "IDs", ["html"] = "HTML", ["iban"] = "IBAN",
    };

    private static readonly HashSet<string> FileExtensions = ["gz", "zst", "jsonl", "json", "parquet", "txt", "warc", "csv"];

    // <context>vs_<baseline>_<quantity>_<statistic>: the paired comparison PPO records against its SFT policy.
    [GeneratedRegex("^(?<context>.*?)vs_(?<baseline>[a-z0-9]+)_(?<quantity>.+?)_(?<stat>gain_ci_low|gain_ci_high|gain_se|gain|better|worse|sign_test_p)$")]
    private static partial Regex PairedKey();

    /// <summary>The key in words, e.g. "Validation perplexity" for <c>val_ppl</c>.</summary>
    public static string Label(string key) => Describe(key).Label;

    /// <summary>The unit values of the key are shown in: "%", "points", "MB", "s", "nats", "tokens/s", "count", or "".</summary>
    public static string Unit(string key) => Describe(key).Unit;

    /// <summary>The value as shown beside its label: fractions as percent, byte counts in MB, counts with separators.</summary>
    public static string Format(string key, double value)
    {
        var c = CultureInfo.InvariantCulture;
        return Unit(key) switch
        {
            "%" => string.Create(c, $"{value * 100:0.0} %"),
            "points" => string.Create(c, $"{value * 100:+0.0;-0.0;0.0} points"),
            "MB" => string.Create(c, $"{value / 1e6:0.00} MB"),
            "count" when value == Math.Floor(value) && Math.Abs(value) < 1e15 => string.Create(c, $"{value:N0}"),
            "count" or "" => SvgChart.Format(value),
            var unit => SvgChart.Format(value) + " " + unit,
        };
    }

    private static (string Label, string Unit) Describe(string key)
    {
        if (Known.TryGetValue(key, out var known)) return known;
        var dot = key.IndexOf('.');
        if (dot > 0)
        {
            // A counter family: dropped.fineweb.line_punct_ratio -> "Dropped: FineWeb line punctuation ratio".
            // A member that names a file (tokens_source.moby-dick.jsonl.gz) stays as written.
            var family = Describe(key[..dot]);
            var rest = key[(dot + 1)..];
            var last = rest[(rest.LastIndexOf('.') + 1)..];
            var member = FileExtensions.Contains(last) ? rest : Words(rest);
            var unit = family.Unit == "MB" || key.StartsWith("dropped_bytes.", StringComparison.Ordinal) ? "MB"
                : Known.TryGetValue(last, out var lastKnown) ? lastKnown.Unit : "count";
            return ($"{family.Label}: {member}", unit);
        }
        if (key.StartsWith("final_", StringComparison.Ordinal))
        {
            var inner = Describe(key["final_".Length..]);
            return ("Final " + LowerFirst(inner.Label), inner.Unit);
        }
        if (PairedKey().Match(key) is { Success: true } paired)
        {
            var quantityKey = paired.Groups["quantity"].Value;
            var quantity = Describe(quantityKey);
            var baseline = Words(paired.Groups["baseline"].Value);
            var isShare = quantity.Unit == "%";
            var (what, unit) = paired.Groups["stat"].Value switch
            {
                "gain" => ($"change vs {baseline}", isShare ? "points" : quantity.Unit),
                "gain_se" => ($"change vs {baseline}, standard error", isShare ? "points" : quantity.Unit),
                "gain_ci_low" => ($"change vs {baseline}, 95 % interval low end", isShare ? "points" : quantity.Unit),
                "gain_ci_high" => ($"change vs {baseline}, 95 % interval high end", isShare ? "points" : quantity.Unit),
                "better" => ($"prompts better than {baseline}", "count"),
                "worse" => ($"prompts worse than {baseline}", "count"),
                _ => ($"sign-test p-value vs {baseline}", ""),
            };
            var context = paired.Groups["context"].Value.TrimEnd('_');
            var prefix = context.Length == 0 ? "" : Words(context) + " ";
            return (UpperFirst(prefix + LowerFirst(quantity.Label) + ": " + what), unit);
        }
        if (key.StartsWith("eval_", StringComparison.Ordinal))
        {
            var inner = Describe(key["eval_".Length..]);
            return ("Held-out " + LowerFirst(inner.Label), inner.Unit);
        }
        return (UpperFirst(Words(key)), GuessUnit(key));
    }

    private static string GuessUnit(string key) =>
        key.EndsWith("_per_s", StringComparison.Ordinal) || key.EndsWith("_per_second", StringComparison.Ordinal) ? "/s"
        : key.EndsWith("_s", StringComparison.Ordinal) || key.EndsWith("_seconds", StringComparison.Ordinal) ? "s"
        : key.EndsWith("_bytes", StringComparison.Ordinal) || key.StartsWith("bytes_", StringComparison.Ordinal) ? "MB"
        : key.EndsWith("_fraction", StringComparison.Ordinal) || key.EndsWith("_rate", StringComparison.Ordinal) ? "%"
        : "";

    /// <summary>snake_case (or dotted) words with the abbreviations of <see cref="Spelled"/> spelled out.</summary>
    private static string Words(string key) =>
        string.Join(" ", key.Split(['_', '.', '-'], StringSplitOptions.RemoveEmptyEntries)
            .Select(w => Spelled.TryGetValue(w, out var word) ? word : w));

    private static string UpperFirst(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    // "Validation loss" -> "validation loss", but "KL to..." and "PII" keep their capitals.
    private static string LowerFirst(string s) =>
        s.Length > 1 && char.IsUpper(s[0]) && char.IsLower(s[1]) ? char.ToLowerInvariant(s[0]) + s[1..] : s;
}
