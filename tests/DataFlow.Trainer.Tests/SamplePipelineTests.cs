using System.Diagnostics;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace DataFlow.Trainer.Tests;

/// <summary>
/// The README's main job, end to end through the real CLI: conf/pipeline.sample.yaml with every stage, only with smaller
/// numbers (one sample file, a few training steps), so CI runs the whole chain from raw text to the report.
/// </summary>
public class SamplePipelineTests
{
    [Fact]
    public async Task Sample_pipeline_with_smaller_numbers_runs_every_stage_to_the_report()
    {
        var root = RepositoryRoot();
        var dir = TinyModels.TempDir("sample-pipeline");
        var pipeline = Shrink(Path.Combine(root, "conf", "pipeline.sample.yaml"), dir, root);
        var cli = Path.Combine(AppContext.BaseDirectory, "dataflow.dll");
        var info = new ProcessStartInfo("dotnet", [cli, "run", pipeline, "--run-dir", Path.Combine(dir, "run")])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root,
        };
        info.Environment["TERM"] = "dumb";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await stderr);

        var run = Path.Combine(dir, "run");
        foreach (var stage in new[] { "ingest", "quality", "dedup", "pii", "tokenize", "pretrain", "verifiable_set", "sft", "reward", "ppo", "eval", "report" })
            Assert.True(Directory.EnumerateFiles(Path.Combine(run, "stages", stage, "tasks"), "*.done").Any(), $"stage {stage} did not complete");
        using var eval = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "stages", "eval", "out", "eval.json")));
        foreach (var model in new[] { "pretrain", "sft", "ppo" })
        {
            var perplexity = eval.RootElement.GetProperty(model).GetProperty("validation_perplexity").GetDouble();
            Assert.InRange(perplexity, 1.0, 262.0 * 4); // finite, and not worse than a wildly wrong model over 262 ids
        }
        // The point of the chain: the fine-tuned model answers held-out prompts the pretrained one cannot (the task
        // checker, VerifiableTasks.Score, recomputes each answer from its prompt).
        double ExactMatch(string model) => eval.RootElement.GetProperty(model).GetProperty("exact_match").GetDouble();
        Assert.True(ExactMatch("sft") > ExactMatch("pretrain") + 0.03,
            $"exact match after SFT {ExactMatch("sft"):P1} is not above after pretraining {ExactMatch("pretrain"):P1}");
        Assert.InRange(eval.RootElement.GetProperty("reward_model").GetProperty("accuracy").GetDouble(), 0.0, 1.0);
        Assert.True(eval.RootElement.TryGetProperty("ppo_vs_sft_win_rate", out _));
        // The paired PPO-vs-SFT statistic: mean per-prompt gain inside its bootstrap interval, sign-test p in [0, 1].
        var gain = eval.RootElement.GetProperty("ppo_vs_sft").GetProperty("true_score");
        Assert.InRange(gain.GetProperty("mean_difference").GetDouble(), gain.GetProperty("ci_low").GetDouble(), gain.GetProperty("ci_high").GetDouble());
        Assert.InRange(gain.GetProperty("sign_test_p").GetDouble(), 0.0, 1.0);
        var report = File.ReadAllText(Path.Combine(run, "report", "index.html"));
        // The report's headline states the exact match after SFT that eval.json recorded.
        Assert.Contains("What this run produced", report);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{ExactMatch("sft") * 100:0.0} %"), report);
        Assert.Contains("eval.json", report);
    }

    /// <summary>The sample pipeline with one input file and tiny training budgets; training configs copied with small step counts.</summary>
    private static string Shrink(string samplePipeline, string dir, string root)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(samplePipeline)) yaml.Load(reader);
        var top = (YamlMappingNode)yaml.Documents[0].RootNode;
        top.Children.Remove(new YamlScalarNode("run_dir"));
        foreach (YamlMappingNode stage in (YamlSequenceNode)top.Children[new YamlScalarNode("stages")])
        {
            var type = ((YamlScalarNode)stage.Children[new YamlScalarNode("type")]).Value;
            void Set(string key, string value) => stage.Children[new YamlScalarNode(key)] = new YamlScalarNode(value);
            switch (type)
            {
                case "ingest": Set("input", Path.Combine(root, "data", "sample", "moby-dick.jsonl.gz")); break;
                case "pretrain":
                    stage.Children[new YamlScalarNode("model")] = Map(("dim", "64"), ("layers", "2"), ("heads", "2"));
                    stage.Children[new YamlScalarNode("training")] = Map(("batch_size", "8"), ("max_steps", "12"), ("warmup_steps", "2"),
                        ("decay_steps", "12"), ("eval_every", "6"), ("eval_batches", "2"), ("checkpoint_every", "6"), ("log_every", "3"));
                    break;
                case "verifiable_set": Set("train_count", "400"); Set("eval_count", "60"); break;
                case "sft" or "reward" or "ppo":
                    var config = ((YamlScalarNode)stage.Children[new YamlScalarNode("config")]).Value!;
                    Set("config", ShrinkTrainingConfig(Path.Combine(root, config), Path.Combine(dir, Path.GetFileName(config)), type));
                    break;
                case "eval": Set("prompts", "60"); Set("validation_rows", "32"); break;
            }
        }
        var path = Path.Combine(dir, "pipeline.yaml");
        using (var writer = new StreamWriter(path)) yaml.Save(writer, assignAnchors: false);
        return path;
    }

    /// <summary>
    /// Small budgets for reward and PPO (they only have to run); SFT gets enough steps (400, about 30 s here) for the
    /// tiny model to answer some held-out prompts, so the test can check that SFT beats pretraining at exact match.
    /// </summary>
    private static string ShrinkTrainingConfig(string source, string destination, string stage)
    {
        var small = stage == "sft"
            ? new Dictionary<string, string> { ["max_steps"] = "400", ["eval_every"] = "200", ["checkpoint_every"] = "200", ["sample_count"] = "30" }
            : new Dictionary<string, string>
            {
                ["max_steps"] = "12", ["eval_every"] = "6", ["checkpoint_every"] = "6", ["sample_count"] = "10", ["iterations"] = "2",
                ["rollout_batch"] = "8", ["mini_batch"] = "4", ["critic_warmup"] = "1",
            };
        var lines = File.ReadAllLines(source).Select(line =>
        {
            var key = line.Split(':', 2)[0].Trim();
            return small.TryGetValue(key, out var value) && !line.StartsWith(' ') ? $"{key}: {value}" : line;
        });
        File.WriteAllLines(destination, lines);
        return destination;
    }

    private static YamlMappingNode Map(params (string Key, string Value)[] entries)
    {
        var map = new YamlMappingNode();
        foreach (var (k, v) in entries) map.Add(k, v);
        return map;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DataFlow.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("DataFlow.sln not found above the test binaries");
    }
}
