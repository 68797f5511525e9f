using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using DataFlow.Jobs.Training;
using DataFlow.Jobs.Training.Ppo;
using DataFlow.Jobs.Training.Pretrain;
using DataFlow.Jobs.Training.Reward;
using DataFlow.Jobs.Training.Sft;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Ppo;
using DataFlow.Trainer.Reward;
using DataFlow.Trainer.Sft;

namespace DataFlow.Trainer.Tests.Config;

/// <summary>
/// The one binder and key vocabulary of the four training stages: errors name the file and the line where the bad
/// key stands (found here by searching the text the test wrote), old spellings name their new key, and every shipped
/// training and pipeline config binds.
/// </summary>
public sealed class TrainingKeysTests
{
    private const string SftBase = """
        train: [a.jsonl]
        output: out
        model: { vocab_size: 262, dim: 32, layers: 2, heads: 4 }
        """;

    /// <summary>1-based line of the first line of <paramref name="yaml"/> that starts (after indentation) with <paramref name="prefix"/>.</summary>
    private static int LineOf(string yaml, string prefix) =>
        Array.FindIndex(yaml.Split('\n'), l => l.TrimStart().StartsWith(prefix, StringComparison.Ordinal)) + 1;

    private static ConfigException SftError(string extra, string file = "sft.yaml")
    {
        var yaml = SftBase + "\n" + extra;
        return Assert.Throws<ConfigException>(() => SftJob.Bind([ConfigSection.Parse(yaml, file)]));
    }

    [Theory]
    [InlineData("steps: 10", "steps", "max_steps")]
    [InlineData("grad_accum: 2", "grad_accum", "grad_accum_steps")]
    [InlineData("save_every: 50", "save_every", "checkpoint_every")]
    public void Old_sft_spellings_name_their_new_key_at_their_line(string line, string old, string now)
    {
        var yaml = SftBase + "\nbatch_size: 4\n" + line + "\nseed: 3";
        var e = Assert.Throws<ConfigException>(() => SftJob.Bind([ConfigSection.Parse(yaml, "my-sft.yaml")]));
        Assert.Equal($"my-sft.yaml:{LineOf(yaml, old + ":")}: key '{old}': '{old}' was renamed to '{now}'", e.Message);
    }

    [Fact]
    public void Old_reward_and_ppo_spellings_name_their_new_key()
    {
        var reward = "train: [p.jsonl]\noutput: out\ninit: sft\nsteps: 5\n";
        var e = Assert.Throws<ConfigException>(() => RewardJob.Bind([ConfigSection.Parse(reward, "rm.yaml")]));
        Assert.Equal("rm.yaml:4: key 'steps': 'steps' was renamed to 'max_steps'", e.Message);

        var ppo = "prompts: [p.jsonl]\nactor: a\nreward: r\noutput: out\niterations: 3\nsave_every: 2\n";
        e = Assert.Throws<ConfigException>(() => PpoJob.Bind([ConfigSection.Parse(ppo, "ppo.yaml")]));
        Assert.Equal("ppo.yaml:6: key 'save_every': 'save_every' was renamed to 'checkpoint_every'", e.Message);

        e = Assert.Throws<ConfigException>(() => PpoJob.Bind([ConfigSection.Parse(ppo.Replace("save_every", "max_steps"), "ppo.yaml")]));
        Assert.StartsWith("ppo.yaml:6: key 'max_steps':", e.Message);
        Assert.Contains("'iterations'", e.Message);
    }

    [Fact]
    public void Pretrain_max_lr_and_min_lr_name_learning_rate_and_the_ratio_the_floor_would_be()
    {
        var yaml = "data: d\noutput: o\ntraining:\n  batch_size: 4\n  learning_rate: 2.0e-3\n  min_lr: 5.0e-4\n";
        var e = Assert.Throws<ConfigException>(() => PretrainSettings.Read(ConfigSection.Parse(yaml, "pre.yaml"), "/"));
        Assert.StartsWith($"pre.yaml:{LineOf(yaml, "min_lr:")}: key 'training.min_lr': 'min_lr' was renamed to 'min_lr_ratio'", e.Message);
        Assert.Contains("min_lr_ratio: 0.25", e.Message); // 5e-4 / 2e-3

        var alone = "data: d\noutput: o\ntraining:\n  min_lr: 1.0e-4\n";
        e = Assert.Throws<ConfigException>(() => PretrainSettings.Read(ConfigSection.Parse(alone, "pre.yaml"), "/"));
        Assert.EndsWith("min_lr 0.0001 with the default learning_rate 0.001 is min_lr_ratio: 0.1", e.Message); // pretrain's peak: 1e-3

        var old = "data: d\noutput: o\ntraining:\n  max_lr: 1.0e-3\n";
        e = Assert.Throws<ConfigException>(() => PretrainSettings.Read(ConfigSection.Parse(old, "pre.yaml"), "/"));
        Assert.Equal("pre.yaml:4: key 'training.max_lr': 'max_lr' was renamed to 'learning_rate'", e.Message);
    }

    [Fact]
    public void Unknown_keys_wrong_types_bad_enums_and_ranges_name_file_line_and_key()
    {
        var e = SftError("batch_sise: 4");
        Assert.Equal($"sft.yaml:{LineOf(SftBase, "model:") + 1}: unknown key 'batch_sise' (did you mean 'batch_size'?)", e.Message);

        e = SftError("seed: 1\nbatch_size: many");
        Assert.Equal("sft.yaml:5: key 'batch_size': expected an integer, got 'many'", e.Message);

        e = SftError("loss_on: everything");
        Assert.StartsWith("sft.yaml:4: key 'loss_on': expected one of assistant_only", e.Message);
        Assert.EndsWith("got 'everything'", e.Message);

        e = SftError("max_steps: 0");
        Assert.Equal("sft.yaml:4: key 'max_steps': 0 is out of range [1, 2147483647]", e.Message);

        e = SftError("min_lr_ratio: 1.5");
        Assert.StartsWith("sft.yaml:4: key 'min_lr_ratio': 1.5 is out of range", e.Message);

        e = SftError("eval_fraction: [0.1]");
        Assert.Equal("sft.yaml:4: key 'eval_fraction': expected a single value", e.Message);
    }

    [Fact]
    public void Nested_records_report_their_own_keys_and_missing_required_members()
    {
        var yaml = "train: [a.jsonl]\noutput: out\nlora:\n  rank: 4\n  alfa: 8\nmodel: { vocab_size: 262 }\n";
        var e = Assert.Throws<ConfigException>(() => SftJob.Bind([ConfigSection.Parse(yaml, "lora.yaml")]));
        Assert.Equal("lora.yaml:5: unknown key 'lora.alfa' (did you mean 'alpha'?)", e.Message);

        e = Assert.Throws<ConfigException>(() => SftJob.Bind([ConfigSection.Parse("train: [a.jsonl]\noutput: out\nmodel: { dim: 32 }\n", "m.yaml")]));
        Assert.Equal("m.yaml:3: missing required key 'model.vocab_size'", e.Message);

        e = Assert.Throws<ConfigException>(() => SftJob.Bind([ConfigSection.Parse("output: out\ninit: base\n", "t.yaml")]));
        Assert.Equal("t.yaml:1: missing required key 'train'", e.Message);
    }

    [Fact]
    public void A_records_own_checks_surface_as_config_errors_naming_the_file()
    {
        var e = SftError("max_tokens: 2");
        Assert.Equal("sft.yaml:1: sft config: max_tokens must exceed 2", e.Message);

        var yaml = SftBase.Replace("dim: 32", "dim: 30"); // 30 / 4 heads is no whole head dimension
        e = Assert.Throws<ConfigException>(() => SftJob.Bind([ConfigSection.Parse(yaml, "sizes.yaml")]));
        Assert.Equal("sizes.yaml:1: model config: dim 30 is not divisible by heads 4", e.Message);
    }

    [Fact]
    public void Values_bind_by_snake_case_name_inline_keys_win_over_the_file_and_caller_overrides_over_both()
    {
        var file = ConfigSection.Parse("""
            train: [from-file.jsonl]
            output: out
            model: { vocab_size: 262, dim: 32, layers: 2, heads: 4 }
            lora: { rank: 4, targets: [wq, wv] }
            loss_on: all_tokens
            format: prompt_completion
            on_error: fail
            max_steps: 600
            grad_accum_steps: 2
            min_lr_ratio: 0.25
            checkpoint_every: 50
            """, "file.yaml");
        var inline = ConfigSection.Parse("max_steps: 7\nmodel: { layers: 3 }\n", "pipeline.yaml");
        var config = SftJob.Bind([inline, file], new Dictionary<string, object?> { ["train"] = new[] { "planned.jsonl" } });
        Assert.Equal(7, config.MaxSteps);
        Assert.Equal(2, config.GradAccumSteps);
        Assert.Equal(0.25, config.MinLrRatio);
        Assert.Equal(50, config.CheckpointEvery);
        Assert.Equal(LossTarget.AllTokens, config.LossOn);
        Assert.Equal(ChatFormat.PromptCompletion, config.Format);
        Assert.Equal(DataFlow.Engine.Documents.OnError.Fail, config.OnError);
        Assert.Equal(["planned.jsonl"], config.Train);
        Assert.Equal((262, 32, 3), (config.Model!.VocabSize, config.Model.Dim, config.Model.Layers)); // nested keys merge per key
        Assert.Equal((4, 16.0), (config.Lora!.Rank, config.Lora.Alpha)); // alpha: LoraConfig's default
        Assert.Equal(["wq", "wv"], config.Lora.Targets);
        Assert.Equal(new SftConfig { Train = ["x"], Output = "o" }.WarmupSteps, config.WarmupSteps); // absent key keeps the record's default
    }

    [Fact]
    public void Shakespeare_char_keeps_its_schedule_peak_1e3_floor_1e4()
    {
        var settings = PretrainSettings.Load(Path.Combine(RepositoryRoot(), "conf", "train", "shakespeare-char.yaml"));
        var schedule = settings.Training.Schedule;
        // nanoGPT's recipe: warmup 100 steps to 1e-3, cosine to 1e-4 at step 2000 (hand values of the formula).
        Assert.Equal(1e-3 * 1 / 100, schedule.At(0), 1e-15);
        Assert.Equal(1e-4 + 0.5 * 9e-4, schedule.At(1050), 1e-15);
        Assert.Equal(1e-4, schedule.At(2000), 1e-15);
        Assert.Equal(1e-4, schedule.At(5000), 1e-15);
    }

    public static TheoryData<string> TrainingFiles() =>
        [.. Directory.GetFiles(Path.Combine(RepositoryRoot(), "conf", "train"), "*.yaml").Select(Path.GetFileName).OfType<string>().Order()];

    [Theory]
    [MemberData(nameof(TrainingFiles))]
    public void Every_training_config_binds(string name)
    {
        var path = Path.Combine(RepositoryRoot(), "conf", "train", name);
        var section = ConfigSection.LoadFile(path);
        if (section.Has("training")) { PretrainSettings.Load(path); return; }
        // Files for pipelines leave the paths to the pipeline; the rest are complete and pass their record's checks too.
        string[] paths = ["train", "eval", "init", "output", "prompts", "eval_prompts", "actor", "reward"];
        string[] required = name.Contains("ppo") ? ["prompts", "actor", "reward", "output"] : ["train", "output"];
        var complete = required.All(section.Has);
        if (name.Contains("ppo"))
        {
            if (complete) PpoJob.Bind([section]); else TrainingKeys.Bind<PpoConfig>([section], deferred: paths);
        }
        else if (name.Contains("reward"))
        {
            if (complete) RewardJob.Bind([section]); else TrainingKeys.Bind<RewardConfig>([section], deferred: paths);
        }
        else if (complete) SftJob.Bind([section]);
        else TrainingKeys.Bind<SftConfig>([section], deferred: paths);
    }

    /// <summary>The web pipeline reads data/web, which its header says to build with scripts/make-web-fixtures.sh (as a user does).</summary>
    private static void MakeWebFixtures(string root)
    {
        if (Directory.Exists(Path.Combine(root, "data", "web")) && Directory.GetFiles(Path.Combine(root, "data", "web"), "*.warc.gz").Length > 0) return;
        using var script = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash",
            [Path.Combine(root, "scripts", "make-web-fixtures.sh"), Path.Combine(root, "data", "web"), "120"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var stderr = script.StandardError.ReadToEndAsync();
        script.StandardOutput.ReadToEnd();
        script.WaitForExit();
        Assert.True(script.ExitCode == 0, $"scripts/make-web-fixtures.sh failed: {stderr.Result}");
    }

    public static TheoryData<string> PipelineFiles() =>
        [.. Directory.GetFiles(Path.Combine(RepositoryRoot(), "conf"), "pipeline*.yaml").Select(Path.GetFileName).OfType<string>().Order()];

    [Theory]
    [MemberData(nameof(PipelineFiles))]
    public void Every_sample_pipeline_builds_and_plans_its_training_stages(string name)
    {
        var root = RepositoryRoot();
        var path = Path.Combine(root, "conf", name);
        var yaml = File.ReadAllText(path);
        if (name == "pipeline.web.yaml") MakeWebFixtures(root);
        var pipeline = PipelineLoader.Load(yaml, path, StandardStages.Create().AddTraining(), root);
        var run = new RunFolder(TinyModels.TempDir("plan-" + name));
        run.Initialize(yaml, root);
        new StagePlanner(run, pipeline).PlanAll(); // binds and validates every training record with the planned paths
        foreach (var stage in pipeline.Stages.Where(s => s.Type is "pretrain" or "sft" or "reward" or "ppo"))
            Assert.Single(new StagePlanner(run, pipeline).Manifest(stage.Name).Tasks);
    }

    [Fact]
    public void A_pipeline_stage_takes_training_keys_inline_and_reports_them_at_the_pipeline_line()
    {
        var dir = TinyModels.TempDir("inline-sft");
        var yaml = """
            stages:
              - type: verifiable_set
                train_count: 20
                eval_count: 5
              - type: sft
                model: { vocab_size: 262, dim: 32, layers: 2, heads: 4, context_length: 64 }
                max_steps: 3
                batch_size: 2
                checkpoint_every: 3
            """;
        var catalog = StandardStages.Create().AddTraining();
        var pipeline = PipelineLoader.Load(yaml, Path.Combine(dir, "p.yaml"), catalog, dir);
        var run = new RunFolder(Path.Combine(dir, "run"));
        run.Initialize(yaml, dir);
        new StagePlanner(run, pipeline).PlanAll();

        var typo = yaml.Replace("batch_size: 2", "bach_size: 2");
        var e = Assert.Throws<ConfigException>(() => PipelineLoader.Load(typo, Path.Combine(dir, "p.yaml"), catalog, dir));
        Assert.Equal($"{Path.Combine(dir, "p.yaml")}:{LineOf(typo, "bach_size")}: unknown key 'stages[1].bach_size' (did you mean 'batch_size'?)", e.Message);

        var old = yaml.Replace("checkpoint_every: 3", "save_every: 3");
        e = Assert.Throws<ConfigException>(() => PipelineLoader.Load(old, Path.Combine(dir, "p.yaml"), catalog, dir));
        Assert.Equal($"{Path.Combine(dir, "p.yaml")}:{LineOf(old, "save_every")}: key 'stages[1].save_every': 'save_every' was renamed to 'checkpoint_every'", e.Message);

        var bad = yaml.Replace("batch_size: 2", "batch_size: 0");
        e = Assert.Throws<ConfigException>(() => PipelineLoader.Load(bad, Path.Combine(dir, "p.yaml"), catalog, dir));
        Assert.StartsWith($"{Path.Combine(dir, "p.yaml")}:{LineOf(bad, "batch_size")}: key 'stages[1].batch_size': 0 is out of range", e.Message);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DataFlow.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("DataFlow.sln not found above the test binaries");
    }
}
