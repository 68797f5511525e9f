using System.Globalization;
using System.Text.Json;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Metrics;

namespace DataFlow.Report;

/// <summary>
/// "What this run produced", in words and numbers, for the stages the run had: documents in and out, tokens, each
/// training stage's validation loss, exact match before and after SFT, reward-model accuracy, PPO's paired change over
/// its SFT policy with the 95 % interval, and what did not finish. Numbers come from the stages' merged stats, the
/// trainers' metrics and the eval stage's eval.json (preferred where both have a number: it is the separate, final check).
/// </summary>
internal sealed class RunHeadline
{
    /// <summary>One statement: a short title, the number, an optional second line under it, and the sentence.</summary>
    public sealed record Item(string Title, string Value, string Sentence, string Note = "", bool Warning = false);

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private readonly List<Item> _items = [];

    public IReadOnlyList<Item> Items => _items;

    public static RunHeadline Build(IReadOnlyList<ReportStage> stages, IReadOnlyList<string> notStarted, IReadOnlyList<(string Stage, MetricsSeries Metrics)> logs, JsonElement? eval)
    {
        var headline = new RunHeadline();
        headline.Documents(stages);
        headline.Tokens(stages);
        foreach (var stage in stages.Where(s => s.IsTraining)) headline.ValidationLoss(stage, logs.FirstOrDefault(l => l.Stage == stage.Name).Metrics);
        headline.ExactMatch(stages, logs, eval);
        headline.RewardModel(stages, eval);
        headline.Ppo(stages, eval);
        headline.Problems(stages, notStarted);
        return headline;
    }

    private void Documents(IReadOnlyList<ReportStage> stages)
    {
        var documentStages = stages.Where(s => !s.IsTraining && s.Stats.Counter("docs_in") > 0).ToList();
        if (documentStages.Count == 0) return;
        var first = documentStages[0];
        // The last stage that still writes documents (tokenize writes tokens, not text: its bytes out are 0).
        var last = documentStages.LastOrDefault(s => s.Stats.Counter("docs_out") > 0 && s.Stats.Counter("bytes_out") > 0)
            ?? documentStages.Last(s => s.Stats.Counters.ContainsKey("docs_out") || s == first);
        long docsIn = first.Stats.Counter("docs_in"), docsOut = last.Stats.Counter("docs_out");
        var sentence = string.Create(C, $"{docsIn:N0} documents{Megabytes(first.Stats.Counter("bytes_in"))} went into {first.Name}; ")
            + string.Create(C, $"{docsOut:N0}{Megabytes(last.Stats.Counter("bytes_out"))} came out of {last.Name}, {Share(docsOut, docsIn)} of them.");
        var drops = documentStages
            .Select(s => (s.Name, Dropped: s.Stats.Counters.Where(kv => kv.Key.StartsWith("dropped.", StringComparison.Ordinal)).Sum(kv => kv.Value)))
            .Where(d => d.Dropped > 0).ToList();
        if (drops.Count > 0)
            sentence += string.Create(C, $" Dropped: {string.Join(", ", drops.Select(d => string.Create(C, $"{d.Dropped:N0} by {d.Name}")))}.");
        _items.Add(new Item("Documents in → out", string.Create(C, $"{docsIn:N0} → {docsOut:N0}"), sentence));
    }

    private void Tokens(IReadOnlyList<ReportStage> stages)
    {
        static long Split(ReportStage s, string prefix) =>
            s.Stats.Counters.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(kv => kv.Value);
        var stage = stages.LastOrDefault(s => !s.IsTraining && (Split(s, "tokens.") > 0 || s.Stats.Counter("tokens_out") > 0));
        if (stage is null) return;
        long train = stage.Stats.Counter("tokens.train"), validation = stage.Stats.Counter("tokens.validation");
        var total = Split(stage, "tokens.") is > 0 and var split ? split : stage.Stats.Counter("tokens_out");
        var sentence = string.Create(C, $"{total:N0} tokens written by {stage.Name}");
        if (train + validation == total && validation > 0)
            sentence += string.Create(C, $": {train:N0} for training, {validation:N0} ({Share(validation, total)}) held out for validation");
        var rows = Split(stage, "rows.");
        if (rows > 0) sentence += string.Create(C, $", in {rows:N0} sequences");
        _items.Add(new Item("Tokens", SvgChart.Format(total), sentence + "."));
    }

    private void ValidationLoss(ReportStage stage, MetricsSeries? log)
    {
        var key = new[] { "val_loss", "eval_loss" }.FirstOrDefault(k => stage.Value(TrainingStats.FinalPrefix + k) is not null);
        if (key is null) return;
        var final = stage.Value(TrainingStats.FinalPrefix + key)!.Value;
        var what = key == "val_loss" ? "validation loss" : "held-out loss";
        var sentence = string.Create(C, $"{char.ToUpperInvariant(what[0])}{what[1..]} of {stage.Name} (nats) after {stage.Stats.Counter("train_steps"):N0} steps on {stage.Stats.Counter("train_tokens"):N0} tokens: ");
        var note = "";
        if (log?.Get(key) is { Count: > 1 } points && points[0].Y != final)
        {
            sentence += string.Create(C, $"{Number(points[0].Y)} at {log.StepName} {points[0].X:0}, {Number(final)} at the end");
            note = string.Create(C, $"from {Number(points[0].Y)}");
        }
        else sentence += Number(final);
        if (stage.Value(TrainingStats.FinalPrefix + "val_ppl") is { } ppl) sentence += string.Create(C, $" (perplexity {Number(ppl)})");
        _items.Add(new Item($"{stage.Name}: {what}", Number(final), sentence + ".", note));
    }

    private void ExactMatch(IReadOnlyList<ReportStage> stages, IReadOnlyList<(string Stage, MetricsSeries Metrics)> logs, JsonElement? eval)
    {
        if (eval is { } e && e.ValueKind == JsonValueKind.Object)
        {
            var models = e.EnumerateObject()
                .Where(p => p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("exact_match", out var m) && m.ValueKind == JsonValueKind.Number)
                .Select(p => (Model: p.Name, Share: p.Value.GetProperty("exact_match").GetDouble())).ToList();
            if (models.Count > 0)
            {
                var prompts = Count(e, "ppo_vs_sft", "true_score", "count") ?? Count(e, "ppo_vs_sft_win_rate", "prompts");
                var on = prompts is { } n ? string.Create(C, $"{n:N0} held-out prompts") : "the held-out prompts";
                var sentence = $"Share of {on} answered exactly right (greedy): " +
                    string.Join(", ", models.Select(m => $"{ModelName(m.Model)} {Percent(m.Share)}")) + ".";
                var shown = models.Where(m => m.Model is "pretrain" or "sft").ToList();
                _items.Add(new Item(shown.Count == 2 ? "Exact match before → after SFT" : "Exact match",
                    string.Join(" → ", (shown.Count == 2 ? shown : models).Select(m => Percent(m.Share))), sentence));
                return;
            }
        }
        // No eval stage: the SFT trainer scores the held-out prompts at step 0 (the model it started from) and at the end.
        foreach (var (name, log) in logs)
        {
            if (log.Get("exact_match") is not { Count: > 1 } points) continue;
            var stage = stages.FirstOrDefault(s => s.Name == name);
            var sentence = string.Create(C, $"Share of held-out prompts {name} answers exactly right: {Percent(points[0].Y)} at {log.StepName} {points[0].X:0} (the model it started from), {Percent(points[^1].Y)} at {log.StepName} {points[^1].X:0}.");
            _items.Add(new Item(stage?.Definition.Type == "sft" ? "Exact match before → after SFT" : $"{name}: exact match",
                $"{Percent(points[0].Y)} → {Percent(points[^1].Y)}", sentence));
        }
    }

    private void RewardModel(IReadOnlyList<ReportStage> stages, JsonElement? eval)
    {
        double? accuracy = null;
        long? pairs = null;
        if (eval is { } e && e.ValueKind == JsonValueKind.Object && e.TryGetProperty("reward_model", out var rm) && rm.ValueKind == JsonValueKind.Object
            && rm.TryGetProperty("accuracy", out var a) && a.ValueKind == JsonValueKind.Number)
        {
            accuracy = a.GetDouble();
            pairs = Count(e, "reward_model", "pairs");
        }
        var stage = stages.FirstOrDefault(s => s.Definition.Type == "reward") ?? stages.FirstOrDefault(s => s.Value(TrainingStats.FinalPrefix + "eval_accuracy") is not null);
        accuracy ??= stage?.Value(TrainingStats.FinalPrefix + "eval_accuracy");
        if (accuracy is not { } acc) return;
        var of = pairs is { } n ? string.Create(C, $"{n:N0} held-out pairs") : "the held-out pairs";
        var sentence = $"The reward model scores the preferred answer above the rejected one in {Percent(acc)} of {of} (chance: 50 %)";
        if (stage?.Value(TrainingStats.FinalPrefix + "eval_margin") is { } margin) sentence += string.Create(C, $"; mean margin {Number(margin)}");
        _items.Add(new Item("Reward-model accuracy", Percent(acc), sentence + "."));
    }

    private void Ppo(IReadOnlyList<ReportStage> stages, JsonElement? eval)
    {
        var paired = PairedFromEval(eval, "true_score") ?? PairedFromStats(stages, "true_score");
        if (paired is not { } p)
        {
            var ppo = stages.FirstOrDefault(s => s.Definition.Type == "ppo");
            if (ppo?.Value(TrainingStats.FinalPrefix + "eval_true_score") is { } score)
                _items.Add(new Item("PPO: true score", Percent(score), $"Share of held-out prompts the PPO policy answers right: {Percent(score)}" +
                    (ppo.Value(TrainingStats.FinalPrefix + "eval_kl") is { } kl ? $", at a KL of {Number(kl)} nats to its reference." : ".")));
            return;
        }
        var verdict = p.Low > 0 ? "PPO is better beyond noise." : p.High < 0 ? "PPO is worse beyond noise." : "The interval includes zero: no change beyond noise.";
        var sentence = string.Create(C, $"True score of PPO's answers minus its SFT policy's, paired over {p.Count:N0} held-out prompts: ");
        if (p.Before is { } before && p.After is { } after) sentence += $"{Percent(before)} → {Percent(after)}, ";
        sentence += string.Create(C, $"{Points(p.Mean)} (95 % interval {Points(p.Low)} to {Points(p.High)}); {p.Better:N0} prompts better, {p.Worse:N0} worse");
        if (p.SignTestP is { } pValue) sentence += string.Create(C, $", sign test p = {pValue:0.###}");
        sentence += ". " + verdict;
        if ((PairedFromEval(eval, "reward") ?? PairedFromStats(stages, "reward")) is { } r)
            sentence += $" Learned reward: {Signed(r.Mean)} (95 % interval {Signed(r.Low)} to {Signed(r.High)}).";
        _items.Add(new Item("PPO vs SFT, paired change", Points(p.Mean), sentence, $"95 % interval {Points(p.Low)} to {Points(p.High)}"));
    }

    private void Problems(IReadOnlyList<ReportStage> stages, IReadOnlyList<string> notStarted)
    {
        var parts = new List<string>();
        // The report stage is still running while this is written; it is never "unfinished" in its own report.
        var counted = stages.Where(s => s.Definition.Type != "report").ToList();
        var unfinished = counted.Where(s => s.Done < s.Tasks).ToList();
        // Stages are planned up front: one with no task done after an earlier unfinished stage never ran.
        var waiting = unfinished.Skip(1).Where(s => s.Done == 0).Select(s => s.Name).Concat(notStarted).ToList();
        var partial = unfinished.Where(s => !waiting.Contains(s.Name)).ToList();
        if (partial.Count > 0)
            parts.Add("Not finished: " + string.Join(", ", partial.Select(s => $"{s.Name} ({s.Done} of {s.Tasks} tasks done)")) + ".");
        if (waiting.Count > 0) parts.Add("Not started: " + string.Join(", ", waiting) + ".");
        var rejected = counted.Sum(s => s.Stats.Counter("docs_rejected"));
        if (rejected > 0)
            parts.Add(string.Create(C, $"{rejected:N0} bad input records skipped: ") +
                string.Join(", ", counted.Where(s => s.Stats.Counter("docs_rejected") > 0).Select(s => string.Create(C, $"{s.Stats.Counter("docs_rejected"):N0} in {s.Name}"))) +
                " (each with its file and line under rejects/).");
        if (parts.Count == 0) return;
        var value = partial.Count + waiting.Count > 0
            ? $"{partial.Count + waiting.Count} of {counted.Count + notStarted.Count} stages unfinished"
            : string.Create(C, $"{rejected:N0} records skipped");
        _items.Add(new Item("Needs attention", value, string.Join(" ", parts), Warning: true));
    }

    private sealed record Paired(double Mean, double Low, double High, long Count, long Better, long Worse, double? SignTestP, double? Before, double? After);

    // eval.json: {"ppo_vs_sft": {"true_score": {mean_difference, ci_low, ci_high, count, improved, worsened, sign_test_p, ...}}}
    private static Paired? PairedFromEval(JsonElement? eval, string quantity)
    {
        if (eval is not { ValueKind: JsonValueKind.Object } e || !e.TryGetProperty("ppo_vs_sft", out var vs) || vs.ValueKind != JsonValueKind.Object
            || !vs.TryGetProperty(quantity, out var q) || q.ValueKind != JsonValueKind.Object) return null;
        double? Get(string k) => q.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        if (Get("mean_difference") is not { } mean || Get("ci_low") is not { } low || Get("ci_high") is not { } high) return null;
        return new Paired(mean, low, high, (long)(Get("count") ?? 0), (long)(Get("improved") ?? 0), (long)(Get("worsened") ?? 0),
            Get("sign_test_p"), Get("baseline_mean"), Get("candidate_mean"));
    }

    // The PPO stage's own final evaluation: final_eval_vs_sft_<quantity>_gain, _gain_ci_low, ... and final_eval_prompts.
    private static Paired? PairedFromStats(IReadOnlyList<ReportStage> stages, string quantity)
    {
        foreach (var s in stages)
        {
            var prefix = $"{TrainingStats.FinalPrefix}eval_vs_sft_{quantity}_";
            if (s.Value(prefix + "gain") is not { } mean || s.Value(prefix + "gain_ci_low") is not { } low || s.Value(prefix + "gain_ci_high") is not { } high) continue;
            var after = s.Value($"{TrainingStats.FinalPrefix}eval_{quantity}");
            return new Paired(mean, low, high, (long)(s.Value(TrainingStats.FinalPrefix + "eval_prompts") ?? 0), (long)(s.Value(prefix + "better") ?? 0),
                (long)(s.Value(prefix + "worse") ?? 0), s.Value(prefix + "sign_test_p"), after - mean, after);
        }
        return null;
    }

    private static long? Count(JsonElement e, params string[] path)
    {
        foreach (var key in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(key, out e)) return null;
        }
        return e.ValueKind == JsonValueKind.Number ? (long)e.GetDouble() : null;
    }

    private static string ModelName(string model) => model switch { "pretrain" => "pretrained", "sft" => "after SFT", "ppo" => "after PPO", _ => model };
    private static string Percent(double share) => string.Create(C, $"{share * 100:0.0} %");
    private static string Points(double share) => string.Create(C, $"{share * 100:+0.0;−0.0;0.0} points");
    private static string Signed(double v) => (v > 0 ? "+" : v < 0 ? "−" : "") + Number(Math.Abs(v));
    private static string Number(double v) => Math.Abs(v) >= 100 ? v.ToString("N0", C) : v.ToString("0.###", C);
    private static string Share(long part, long whole) => whole == 0 ? "none" : string.Create(C, $"{100.0 * part / whole:0.0} %");
    private static string Megabytes(long bytes) => bytes > 0 ? string.Create(C, $" ({bytes / 1e6:0.00} MB)") : "";
}
