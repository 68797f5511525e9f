using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;

namespace DataFlow.Tests.Report;

/// <summary>
/// The run report renders in a real headless Chromium at 1280 px: the headline ("what this run produced") in the first
/// screen with numbers that match an independent reading of the run (DuckDB over the shards, the eval stage's own JSON),
/// every image loaded, no chart of a constant, no unmasked PII. Three kinds of run: data only, the whole chain with
/// training, and a run that failed.
/// </summary>
public class ReportRenderTests
{
    private const string Email = "jane.roe@example.org";
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    [SkippableFact]
    public void Data_only_run_has_a_headline_of_documents_in_and_out_and_no_chart_of_a_constant()
    {
        var chromium = ReportInChromium.Find();
        Skip.If(chromium is null, "chromium is not installed (.ci/run installs Debian's chromium)");
        using var dir = new TempDir();
        using (var w = new StreamWriter(dir.File("in.jsonl")))
        {
            for (var i = 0; i < 60; i++)
            {
                var text = i % 10 == 0 ? "short" : $"Document {i} talks about rivers and ships. Write to {Email} for more. " +
                    string.Join(" ", Enumerable.Range(0, 80).Select(k => $"word{(k * 7 + i) % 50}")) + ".";
                w.WriteLine(JsonSerializer.Serialize(new { id = $"d{i}", text }));
            }
        }
        File.WriteAllText(dir.File("p.yaml"), """
            workers: 2
            stages:
              - type: ingest
                input: in.jsonl
                tasks: 2
              - type: sample
                fraction: 0.8
              - type: pii
                policy: keep
              - type: report
            """);
        var run = CliProcess.Run(dir.Path, "run", "p.yaml", "--run-dir", "r");
        Assert.True(run.ExitCode == 0, run.Stderr);
        // A stage's metrics JSONL is charted wherever it sits: plant one with a falling loss and a constant learning rate.
        Directory.CreateDirectory(dir.File("r/stages/sample/out/train"));
        File.WriteAllLines(dir.File("r/stages/sample/out/train/metrics.jsonl"),
            Enumerable.Range(0, 20).Select(s => $"{{\"step\":{s},\"loss\":{5.0 / (s + 1):F3},\"eval_loss\":{5.5 / (s + 1):F3},\"lr\":0.001}}"));
        File.WriteAllText(dir.File("r/stages/sample/out/train/samples.jsonl"), $"{{\"step\":10,\"prompt\":\"mail me\",\"response\":\"at {Email}\"}}\n");
        var report = CliProcess.Run(dir.Path, "report", "r");
        Assert.True(report.ExitCode == 0, report.Stderr);
        var index = dir.File("r/report/index.html");
        var html = File.ReadAllText(index);
        Assert.DoesNotContain(Email, html);
        foreach (var svg in Directory.GetFiles(dir.File("r/report/img"))) Assert.DoesNotContain(Email, File.ReadAllText(svg));

        var dom = ReportInChromium.CheckDesktopView(chromium!, index, "Documents in → out");
        // Documents out counted independently: DuckDB over the PII stage's shards.
        var kept = ParquetRows(dir.File("r/stages/pii/out/*.parquet"));
        Assert.InRange(kept, 30, 59);
        Assert.Contains($"60 → {kept}", dom);
        Assert.DoesNotContain("Exact match", dom);
        Assert.DoesNotContain("Needs attention", dom);
        // The planted loss is charted; the constant learning rate is a table row, never a chart.
        Assert.True(File.Exists(dir.File("r/report/img/sample-loss.svg")), string.Join(", ", Directory.GetFiles(dir.File("r/report/img")).Select(Path.GetFileName)));
        Assert.DoesNotContain(Directory.GetFiles(dir.File("r/report/img")), f => Path.GetFileName(f).Contains("lr", StringComparison.Ordinal));
        Assert.Contains("Learning rate", dom);
        Assert.Contains("<details", dom);
    }

    /// <summary>
    /// The sample pipeline's whole chain with small numbers: the headline states each training stage's validation loss,
    /// exact match before and after SFT, reward-model accuracy and PPO's paired change with its interval, matching the
    /// eval stage's eval.json and the pretrain metrics; PPO's reward, true score and KL share one figure. The screenshot
    /// this test takes is docs/report.png (set DATAFLOW_REPORT_SCREENSHOT to a path to keep it).
    /// </summary>
    [SkippableFact]
    public void Whole_chain_headline_states_losses_exact_match_reward_accuracy_and_ppo_change_as_the_eval_recorded_them()
    {
        var chromium = ReportInChromium.Find();
        Skip.If(chromium is null, "chromium is not installed (.ci/run installs Debian's chromium)");
        using var dir = new TempDir();
        var root = RepositoryRoot();
        Directory.CreateDirectory(dir.File("in"));
        foreach (var name in new[] { "moby-dick.jsonl.gz", "spam-assassin.jsonl.gz" })
            File.Copy(Path.Combine(root, "data", "sample", name), dir.File(Path.Combine("in", name)));
        File.WriteAllText(dir.File("sft.yaml"), Training(root, "sample-sft.yaml", ("max_steps", "150"), ("eval_every", "50"), ("checkpoint_every", "150"), ("sample_count", "20")));
        File.WriteAllText(dir.File("reward.yaml"), Training(root, "sample-reward.yaml", ("max_steps", "20"), ("eval_every", "10"), ("checkpoint_every", "20")));
        File.WriteAllText(dir.File("ppo.yaml"), Training(root, "sample-ppo.yaml", ("iterations", "6"), ("eval_every", "2"), ("checkpoint_every", "6"),
            ("rollout_batch", "16"), ("mini_batch", "8"), ("critic_warmup", "1")));
        File.WriteAllText(dir.File("p.yaml"), """
            workers: 2
            tasks: 2
            stages:
              - type: ingest
                input: in/*.jsonl.gz
              - type: quality
                rules:
                  - type: gopher_repetition
                  - type: fineweb
              - type: dedup
                exact: true
                minhash: true
              - type: pii
                policy: tag
              - type: tokenize
                tokenizer: bytes
                seq_len: 128
                validation_fraction: 0.05
              - type: pretrain
                model: {dim: 64, layers: 2, heads: 2}
                training: {batch_size: 8, max_steps: 60, warmup_steps: 5, decay_steps: 60, eval_every: 15, eval_batches: 2, checkpoint_every: 60, log_every: 3, threads: 2}
              - type: verifiable_set
                train_count: 600
                eval_count: 60
              - type: sft
                config: sft.yaml
              - type: reward
                config: reward.yaml
              - type: ppo
                config: ppo.yaml
              - type: eval
                prompts: 60
                validation_rows: 32
              - type: report
            """);
        var run = CliProcess.Run(dir.Path, "run", "p.yaml", "--run-dir", "r");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var index = dir.File("r/report/index.html");
        var dom = ReportInChromium.CheckDesktopView(chromium!, index, "What this run produced");

        using var eval = JsonDocument.Parse(File.ReadAllText(dir.File("r/stages/eval/out/eval.json")));
        var e = eval.RootElement;
        string Percent(double share) => string.Create(C, $"{share * 100:0.0} %");
        string Points(double share) => string.Create(C, $"{share * 100:+0.0;−0.0;0.0} points");
        Assert.Contains($"{Percent(e.GetProperty("pretrain").GetProperty("exact_match").GetDouble())} → {Percent(e.GetProperty("sft").GetProperty("exact_match").GetDouble())}", dom);
        Assert.Contains("Reward-model accuracy", dom);
        Assert.Contains(Percent(e.GetProperty("reward_model").GetProperty("accuracy").GetDouble()), dom);
        var change = e.GetProperty("ppo_vs_sft").GetProperty("true_score");
        Assert.Contains($"95 % interval {Points(change.GetProperty("ci_low").GetDouble())} to {Points(change.GetProperty("ci_high").GetDouble())}", dom);
        Assert.Contains(Points(change.GetProperty("mean_difference").GetDouble()), dom);
        // The pretrain stage's last validation loss, read from its metrics JSONL.
        var lastVal = File.ReadLines(dir.File("r/stages/pretrain/out/metrics.jsonl")).Where(l => l.Contains("\"val_loss\"", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("val_loss").GetDouble()).Last();
        Assert.Contains("pretrain: validation loss", dom);
        Assert.Contains(lastVal.ToString("0.###", C), dom);
        Assert.Contains("sft: held-out loss", dom);
        Assert.Contains("reward: held-out loss", dom);

        var images = Directory.GetFiles(dir.File("r/report/img")).Select(Path.GetFileName).ToList();
        foreach (var chart in new[] { "pretrain-loss.svg", "sft-loss.svg", "reward-loss.svg", "ppo-reward-score-kl.svg", "drop-reasons.svg", "pii-pii.svg" })
            Assert.Contains(chart, images);
        Assert.Contains("learned reward", File.ReadAllText(dir.File("r/report/img/ppo-reward-score-kl.svg")));
        // Constants of the PPO evaluation are table rows, not charts.
        Assert.DoesNotContain(images, f => f!.Contains("prompts", StringComparison.Ordinal) || f.Contains("samples", StringComparison.Ordinal));
        Assert.Contains("Held-out samples per prompt", dom);

        var png = dir.File("report.png");
        Assert.Equal(ReportInChromium.ScreenWidth, ReportInChromium.Screenshot(chromium!, index, png, 1900));
        if (Environment.GetEnvironmentVariable("DATAFLOW_REPORT_SCREENSHOT") is { Length: > 0 } keep) File.Copy(png, keep, overwrite: true);
    }

    [SkippableFact]
    public void A_failed_run_says_in_its_headline_which_stage_did_not_finish_and_which_never_started()
    {
        var chromium = ReportInChromium.Find();
        Skip.If(chromium is null, "chromium is not installed (.ci/run installs Debian's chromium)");
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("in.jsonl"), [
            JsonSerializer.Serialize(new { id = "a", text = "A whole document about the sea." }),
            "{\"id\": \"b\", \"text\": ", // cut off: not JSON
        ]);
        File.WriteAllText(dir.File("p.yaml"), """
            on_error: fail
            stages:
              - type: ingest
                input: in.jsonl
              - type: pii
              - type: report
            """);
        var run = CliProcess.Run(dir.Path, "run", "p.yaml", "--run-dir", "r");
        Assert.NotEqual(0, run.ExitCode);
        var report = CliProcess.Run(dir.Path, "report", "r");
        Assert.True(report.ExitCode == 0, report.Stderr);
        var dom = ReportInChromium.CheckDesktopView(chromium!, dir.File("r/report/index.html"), "Needs attention");
        Assert.Contains("Not finished: ingest (0 of 1 tasks done).", dom);
        Assert.Contains("Not started: pii.", dom);
    }

    private static long ParquetRows(string glob)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM read_parquet('{glob}')";
        return Convert.ToInt64(command.ExecuteScalar(), C);
    }

    /// <summary>A sample training config with some keys set to smaller numbers (top-level keys only).</summary>
    private static string Training(string root, string file, params (string Key, string Value)[] set)
    {
        var values = set.ToDictionary(s => s.Key, s => s.Value);
        return string.Join("\n", File.ReadAllLines(Path.Combine(root, "conf", "train", file)).Select(line =>
        {
            var key = line.Split(':', 2)[0].Trim();
            return !line.StartsWith(' ') && values.TryGetValue(key, out var v) ? $"{key}: {v}" : line;
        }));
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DataFlow.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("DataFlow.sln not found above the test binaries");
    }
}
