using DataFlow.Trainer.Checkpoints;
using System.Diagnostics;
using System.Text.Json;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Lora;
using DataFlow.Trainer.Native;
using DataFlow.Trainer.Reward;
using DataFlow.Trainer.Sft;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit.Abstractions;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Mpi.Tests;

/// <summary>
/// <c>dataflow train sft|reward|ppo --distributed mpi</c> under mpirun: 2 ranks with a global batch train like 1 rank
/// with that batch (same per-step metrics, same final weights), both ranks end in lockstep, rank 0 alone writes, and a
/// 2-rank run stopped halfway resumes to the same end.
/// </summary>
public sealed class RlhfDataParallelTests(ITestOutputHelper output)
{
    private const string Model = "{ vocab_size: 262, dim: 32, layers: 2, heads: 4, context_length: 64 }";

    [MpiFact]
    public void SftOnTwoRanksLogsTheLossesOfOneRankAndResumes()
    {
        using var dir = new TempFolder();
        var data = WriteTasks(dir.Path, 200, seed: 5);
        string Config(string output, int stopAfter) => dir.Write($"{output}-{stopAfter}.yaml", $"""
            train: ['{data}']
            output: '{Path.Combine(dir.Path, output)}'
            model: {Model}
            max_steps: 20
            batch_size: 8
            warmup_steps: 2
            log_every: 1
            eval_every: 10
            checkpoint_every: 10
            sample_count: 2
            seed: 3
            threads: 1
            stop_after: {stopAfter}
            """);
        var one = MpiDataflow(1, "train", "sft", "--config", Config("one", 0), "--distributed", "mpi");
        // The 2-rank run stops after 10 steps and resumes from its checkpoint: both halves are 2-rank runs.
        var twoFirst = MpiDataflow(2, "train", "sft", "--config", Config("two", 10), "--distributed", "mpi");
        var twoRest = MpiDataflow(2, "train", "sft", "--config", Config("two", 0), "--distributed", "mpi");

        Assert.Contains("data parallel over 2 MPI ranks, 4 of 8 rows per rank", twoFirst);
        Assert.Contains("resumed from", twoRest);
        foreach (var output in new[] { twoFirst, twoRest }) Assert.Contains("replicas of 2 ranks differ by at most 0 ", output);
        Assert.Single(twoRest.Split('\n'), l => l.StartsWith("sft: final model in", StringComparison.Ordinal)); // rank 0 alone
        var expected = Metric(dir.File("one", "metrics.jsonl"), "loss");
        var actual = Metric(dir.File("two", "metrics.jsonl"), "loss");
        Assert.Equal(20, expected.Count);
        Assert.True(expected[^1] < expected[0] - 0.3, $"the tiny model should learn: {expected[0]} -> {expected[^1]}");
        AssertClose(expected, actual, 1e-5, "loss");
        AssertSameWeights(dir.File("one", "final", ModelWeights.WeightsFile), dir.File("two", "final", ModelWeights.WeightsFile), 1e-5);
        Assert.Equal(Metric(dir.File("one", "metrics.jsonl"), "eval_loss").Count, Metric(dir.File("two", "metrics.jsonl"), "eval_loss").Count);
    }

    [MpiFact]
    public void LoraSftWithGradientAccumulationOnTwoRanksLogsTheLossesOfOneRank()
    {
        using var dir = new TempFolder();
        var data = WriteTasks(dir.Path, 120, seed: 6);
        var policy = SavePolicy(dir.Path);
        string Config(string output) => dir.Write(output + ".yaml", $"""
            train: ['{data}']
            output: '{Path.Combine(dir.Path, output)}'
            init: '{policy}'
            lora: {"{"} rank: 4, alpha: 8, dropout: 0 {"}"}
            max_steps: 12
            batch_size: 4
            grad_accum_steps: 2
            learning_rate: 0.005
            warmup_steps: 2
            log_every: 1
            eval_every: 100
            checkpoint_every: 100
            sample_count: 0
            threads: 1
            """);
        MpiDataflow(1, "train", "sft", "--config", Config("one"), "--distributed", "mpi");
        var two = MpiDataflow(2, "train", "sft", "--config", Config("two"), "--distributed", "mpi");

        Assert.Contains("LoRA r=4", two);
        Assert.Contains("replicas of 2 ranks differ by at most 0 ", two);
        var expected = Metric(dir.File("one", "metrics.jsonl"), "loss");
        Assert.Equal(12, expected.Count);
        AssertClose(expected, Metric(dir.File("two", "metrics.jsonl"), "loss"), 1e-5, "loss");
        AssertSameWeights(dir.File("one", "final", LoraAdapters.WeightsFile), dir.File("two", "final", LoraAdapters.WeightsFile), 1e-5);
    }

    [MpiFact]
    public void RewardModelOnTwoRanksLogsTheLossesOfOneRank()
    {
        using var dir = new TempFolder();
        var policy = SavePolicy(dir.Path);
        var random = new Random(2);
        var pairs = dir.Write("pairs.jsonl", string.Join('\n', Enumerable.Range(0, 96).Select(_ => VerifiableTasks.Generate(random))
            .Select(e => JsonSerializer.Serialize(new { prompt = e.Prompt, chosen = e.Answer, rejected = VerifiableTasks.WrongAnswer(e, random) }))));
        string Config(string output) => dir.Write(output + ".yaml", $"""
            train: ['{pairs}']
            init: '{policy}'
            output: '{Path.Combine(dir.Path, output)}'
            max_steps: 20
            batch_size: 8
            warmup_steps: 2
            eval_fraction: 0.15
            log_every: 1
            eval_every: 10
            checkpoint_every: 10
            threads: 1
            """);
        MpiDataflow(1, "train", "reward", "--config", Config("one"), "--distributed", "mpi");
        var two = MpiDataflow(2, "train", "reward", "--config", Config("two"), "--distributed", "mpi");

        Assert.Contains("data parallel over 2 MPI ranks, 4 of 8 pairs per rank", two);
        Assert.Contains("replicas of 2 ranks differ by at most 0 ", two);
        var expected = Metric(dir.File("one", "metrics.jsonl"), "loss");
        Assert.Equal(20, expected.Count);
        AssertClose(expected, Metric(dir.File("two", "metrics.jsonl"), "loss"), 1e-5, "loss");
        AssertClose(Metric(dir.File("one", "metrics.jsonl"), "accuracy"), Metric(dir.File("two", "metrics.jsonl"), "accuracy"), 0, "batch accuracy");
        // The value head's bias shifts r_chosen and r_rejected alike, so its true gradient is 0 and what it gets is
        // rounding noise (1e-10), which Adam scales up to steps of about lr: that one weight random-walks differently
        // for 1 and 2 ranks (as it would for two BLAS builds), bounded by lr x steps. The rest agree to 1e-4 (measured 2e-5,
        // where an embedding's gradient nearly cancels between the two sides of a pair).
        AssertSameWeights(dir.File("one", "final", ModelWeights.WeightsFile), dir.File("two", "final", ModelWeights.WeightsFile), 1e-4,
            new Dictionary<string, double> { ["value_head.bias"] = 5e-4 * 20 });
    }

    [MpiFact]
    public void PpoOnTwoRanksRollsOutAndTrainsLikeOneRankAndResumes()
    {
        using var dir = new TempFolder();
        var policy = SavePolicy(dir.Path);
        var rewardModel = Path.Combine(dir.Path, "rm");
        using (var rm = RewardModel.FromPolicy(policy)) rm.Save(rewardModel, ChatTokenizer.Load("bytes"));
        var prompts = WriteTasks(dir.Path, 40, seed: 11);
        var evalPrompts = WriteTasks(dir.Path, 6, seed: 12);
        string Config(string output, int stopAfter) => dir.Write($"{output}-{stopAfter}.yaml", $"""
            prompts: ['{prompts}']
            eval_prompts: ['{evalPrompts}']
            actor: '{policy}'
            reward: '{rewardModel}'
            output: '{Path.Combine(dir.Path, output)}'
            iterations: 3
            rollout_batch: 8
            mini_batch: 4
            ppo_epochs: 2
            max_new_tokens: 6
            kl_target: 1.0
            kl_horizon: 100
            actor_learning_rate: 1.0e-3
            ptx_coef: 0.1
            ptx_data: ['{prompts}']
            eval_every: 100
            checkpoint_every: 100
            threads: 1
            stop_after: {stopAfter}
            """);
        MpiDataflow(1, "train", "ppo", "--config", Config("one", 0), "--distributed", "mpi");
        var twoFirst = MpiDataflow(2, "train", "ppo", "--config", Config("two", 2), "--distributed", "mpi");
        var twoRest = MpiDataflow(2, "train", "ppo", "--config", Config("two", 0), "--distributed", "mpi");

        Assert.Contains("data parallel over 2 MPI ranks: 4 rollouts and 2 rows of each minibatch per rank", twoFirst);
        Assert.Contains("resumed from", twoRest);
        foreach (var output in new[] { twoFirst, twoRest }) Assert.Contains("replicas of 2 ranks differ by at most 0 ", output);
        var one = Iterations(dir.File("one", "metrics.jsonl"));
        var two = Iterations(dir.File("two", "metrics.jsonl"));
        Assert.Equal(3, one.Count);
        Assert.Equal(3, two.Count);
        for (var i = 0; i < 3; i++)
        {
            // Same prompts and the same sampled responses (discrete: exactly), then the same statistics and losses.
            foreach (var key in new[] { "response_length", "true_score" })
                Assert.True(one[i].GetProperty(key).GetDouble() == two[i].GetProperty(key).GetDouble(), $"iteration {i + 1} {key}: {one[i].GetProperty(key)} vs {two[i].GetProperty(key)}");
            foreach (var key in new[] { "reward_mean", "reward_std", "kl_k1", "kl_k3", "kl_coef", "policy_loss", "value_loss", "entropy", "approx_kl", "clip_fraction", "explained_variance" })
            {
                var (a, b) = (one[i].GetProperty(key).GetDouble(), two[i].GetProperty(key).GetDouble());
                output.WriteLine($"iteration {i + 1} {key}: 1 rank {a}, 2 ranks {b}");
                Assert.True(Math.Abs(a - b) <= 1e-5 * Math.Max(1, Math.Abs(a)), $"iteration {i + 1} {key}: 1 rank {a} vs 2 ranks {b}");
            }
        }
        Assert.NotEqual(one[0].GetProperty("kl_coef").GetDouble(), one[2].GetProperty("kl_coef").GetDouble()); // the adaptive controller acted
        AssertSameWeights(dir.File("one", "final", ModelWeights.WeightsFile), dir.File("two", "final", ModelWeights.WeightsFile), 1e-5);
        AssertSameWeights(Path.Combine(new CheckpointStore(dir.File("one", CheckpointStore.FolderName)).Latest()!, "critic", ModelWeights.WeightsFile), Path.Combine(new CheckpointStore(dir.File("two", CheckpointStore.FolderName)).Latest()!, "critic", ModelWeights.WeightsFile), 1e-5);
    }

    [MpiFact]
    public void OneFailingRankEndsEveryRank()
    {
        // MPMD launch: rank 0 gets a good config and waits in its first collective; rank 1's config is invalid. Without
        // MPI_Abort, rank 0 would wait forever and rank 1 would hang in MPI_Finalize.
        using var dir = new TempFolder();
        var data = WriteTasks(dir.Path, 40, seed: 7);
        string Config(string name, int batch) => dir.Write(name + ".yaml", $"""
            train: ['{data}']
            output: '{Path.Combine(dir.Path, "out")}'
            model: {Model}
            max_steps: 5
            batch_size: {batch}
            threads: 1
            """);
        var clock = Stopwatch.StartNew();
        var (exit, _, error) = MpiRun(["-np", "1", .. Dataflow, "train", "sft", "--config", Config("good", 4), "--distributed", "mpi", ":",
            "-np", "1", .. Dataflow, "train", "sft", "--config", Config("bad", 0), "--distributed", "mpi"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("rank 1 of 2 failed, aborting all ranks", error);
        Assert.Contains("batch_size", error);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"took {clock.Elapsed}");
    }

    private static string WriteTasks(string dir, int count, int seed)
    {
        var random = new Random(seed);
        var path = Path.Combine(dir, $"tasks-{seed}.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, count).Select(_ => VerifiableTasks.Generate(random))
            .Select(e => JsonSerializer.Serialize(new { prompt = e.Prompt, completion = e.Answer })));
        return path;
    }

    /// <summary>A freshly initialized policy folder (the SFT model the reward model and PPO start from).</summary>
    private static string SavePolicy(string dir)
    {
        TorchRuntime.EnsureInitialized();
        var path = Path.Combine(dir, "sft");
        torch.manual_seed(5);
        using var policy = new Transformer(new() { VocabSize = 262, Dim = 32, Layers = 2, Heads = 4, ContextLength = 64 });
        ModelWeights.Save(policy, policy.Config, path, ChatTokenizer.Load("bytes"));
        return path;
    }

    private static List<double> Metric(string metrics, string key) =>
        File.ReadLines(metrics).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty(key, out _)).Select(e => e.GetProperty(key).GetDouble()).ToList();

    private static List<JsonElement> Iterations(string metrics) =>
        File.ReadLines(metrics).Select(l => JsonDocument.Parse(l).RootElement.Clone()).Where(e => e.TryGetProperty("policy_loss", out _)).ToList();

    private void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double relative, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second) / Math.Max(1e-12, Math.Abs(p.First)));
        output.WriteLine($"{what}: largest relative difference 2 ranks vs 1 rank over {expected.Count} steps: {worst:G3}");
        for (var i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= relative * Math.Abs(expected[i]), $"{what} {i + 1}: 2 ranks {actual[i]} vs 1 rank {expected[i]}");
    }

    private void AssertSameWeights(string expected, string actual, double tolerance, IReadOnlyDictionary<string, double>? looser = null)
    {
        var left = Safetensors.LoadStateDict(expected);
        var right = Safetensors.LoadStateDict(actual);
        Assert.Equal(left.Keys.Order(), right.Keys.Order());
        var largest = left.Keys.Max(k => (left[k] - right[k]).abs().max().item<float>());
        var total = left.Keys.Sum(k => (left[k] - right[k]).pow(2).sum().item<float>());
        var count = left.Values.Sum(t => t.numel());
        output.WriteLine($"{Path.GetFileName(Path.GetDirectoryName(actual))}/{Path.GetFileName(actual)}: 1 rank vs 2 ranks, largest |difference| {largest:G3}, rms {Math.Sqrt(total / count):G3} over {count} weights");
        foreach (var key in left.Keys)
        {
            var difference = (left[key] - right[key]).abs().max().item<float>();
            Assert.True(difference <= (looser is not null && looser.TryGetValue(key, out var bound) ? bound : tolerance), $"{key}: 1 rank and 2 ranks differ by {difference} ({actual})");
        }
    }

    /// <summary>Runs <c>dataflow ARGS</c> as N ranks of mpirun; returns the merged stdout.</summary>
    private static string MpiDataflow(int ranks, params string[] args)
    {
        var (exit, output, error) = MpiRun(["-np", ranks.ToString(), .. Dataflow, .. args]);
        Assert.True(exit == 0, $"mpirun -np {ranks} dataflow {string.Join(' ', args)} exited {exit}\n{output}\n{error}");
        return output;
    }

    private static string[] Dataflow => ["dotnet", Path.Combine(AppContext.BaseDirectory, "dataflow.dll")];

    private static (int Exit, string Output, string Error) MpiRun(IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo("mpirun") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] all = ["--allow-run-as-root", "--oversubscribe", "-x", "TERM=dumb", "-x", "OMP_WAIT_POLICY=PASSIVE", .. args];
        foreach (var a in all) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(4)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mpirun {string.Join(' ', args)} ran over 4 minutes");
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dataflow-mpi-tests", Guid.NewGuid().ToString("N")[..12]);

        public TempFolder() => Directory.CreateDirectory(Path);

        public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

        public string Write(string name, string text)
        {
            var file = File(name);
            System.IO.File.WriteAllText(file, text);
            return file;
        }

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}
