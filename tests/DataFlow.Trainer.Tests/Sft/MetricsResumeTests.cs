using DataFlow.Trainer.Checkpoints;
using DataFlow.Engine.Metrics;
using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Reward;
using DataFlow.Trainer.Sft;
using DataFlow.Trainer.Training;

namespace DataFlow.Trainer.Tests.Sft;

public class MetricsResumeTests
{
    private sealed class FailOnReject : IRejectSink
    {
        public void Reject(Reject reject) => throw new BadInputException(reject);
    }

    /// <summary>
    /// Runs <paramref name="run"/> (given stop_after) for 3 steps, keeps that checkpoint, runs 2 more (logged and
    /// checkpointed), puts the step-3 checkpoint back (as a kill after step 5 with checkpoint_every larger than log_every
    /// leaves it) and runs to the end.
    /// </summary>
    private static string RunKilledAfterTheCheckpoint(string output, Action<int> run)
    {
        var checkpoint = Path.Combine(output, CheckpointStore.FolderName);
        var saved = output + "-step3";
        run(3);
        CopyDirectory(checkpoint, saved);
        run(2);
        Directory.Delete(checkpoint, recursive: true);
        CopyDirectory(saved, checkpoint);
        run(0);
        return Path.Combine(output, "metrics.jsonl");
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var folder in Directory.EnumerateDirectories(from)) CopyDirectory(folder, Path.Combine(to, Path.GetFileName(folder)));
    }

    private static List<long> Steps(string metrics, string field) =>
        File.ReadAllLines(metrics).Select(l => JsonDocument.Parse(l).RootElement).Where(r => r.TryGetProperty(field, out _))
            .Select(r => r.GetProperty("step").GetInt64()).ToList();

    [Fact]
    public void Sft_metrics_hold_each_step_once_after_resumes_from_an_older_checkpoint()
    {
        var directory = RlhfFixtures.TempDirectory();
        var data = RlhfFixtures.WriteSyntheticTasks(directory, 60, seed: 5);
        SftConfig Config(string output, int stopAfter) => new()
        {
            Train = [data], Output = output, Model = RlhfFixtures.Config(), MaxSteps = 8, BatchSize = 2, WarmupSteps = 1,
            LogEvery = 1, EvalEvery = 100, CheckpointEvery = 100, SampleCount = 1, StopAfter = stopAfter, Seed = 3,
        };
        var tokenizer = ChatTokenizer.Load("bytes");
        var straight = Path.Combine(directory, "straight");
        new SftTrainer(Config(straight, 0), tokenizer, _ => { }).Run(new FailOnReject());
        var resumed = Path.Combine(directory, "resumed");
        var metrics = RunKilledAfterTheCheckpoint(resumed, stopAfter => new SftTrainer(Config(resumed, stopAfter), tokenizer, _ => { }).Run(new FailOnReject()));

        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), Steps(metrics, "loss"));
        Assert.Equal([0L, 8L], Steps(metrics, "eval_loss"));
        static string Strip(string line) => System.Text.RegularExpressions.Regex.Replace(line, "\"tokens_per_s\":[^,}]*", "");
        Assert.Equal(File.ReadAllLines(Path.Combine(straight, "metrics.jsonl")).Select(Strip), File.ReadAllLines(metrics).Select(Strip));
    }

    [Fact]
    public void Reward_metrics_hold_each_step_once_after_resumes_from_an_older_checkpoint()
    {
        var directory = RlhfFixtures.TempDirectory();
        var pairs = Path.Combine(directory, "pairs.jsonl");
        var random = new Random(2);
        File.WriteAllLines(pairs, Enumerable.Range(0, 40).Select(_ => VerifiableTasks.Generate(random))
            .Select(e => JsonSerializer.Serialize(new { prompt = e.Prompt, chosen = e.Answer, rejected = VerifiableTasks.WrongAnswer(e, random) })));
        var output = Path.Combine(directory, "rm");
        RewardConfig Config(int stopAfter) => new()
        {
            Train = [pairs], Model = RlhfFixtures.Config(), Output = output, MaxSteps = 7, BatchSize = 4, EvalFraction = 0.2,
            WarmupSteps = 1, LogEvery = 1, EvalEvery = 100, CheckpointEvery = 100, StopAfter = stopAfter,
        };
        var tokenizer = ChatTokenizer.Load("bytes");
        var metrics = RunKilledAfterTheCheckpoint(output, stopAfter => new RewardTrainer(Config(stopAfter), tokenizer, _ => { }).Run(new FailOnReject()));

        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), Steps(metrics, "loss"));
        Assert.Equal([0L, 7L], Steps(metrics, "eval_loss"));
    }

    [Fact]
    public void A_log_opened_for_a_resume_keeps_lines_up_to_that_step_under_its_own_step_field()
    {
        var path = Path.Combine(RlhfFixtures.TempDirectory(), "metrics.jsonl");
        using (var log = new MetricsLog(path, stepKey: "iteration"))
            for (var i = 0; i <= 4; i++) log.Write(new { iteration = i, reward_mean = i * 0.5 });
        File.AppendAllText(path, "{\"iteration\":5,\"rew"); // a line cut by a kill
        using (var log = new MetricsLog(path, resumeFromStep: 2, stepKey: "iteration")) log.Write(new { iteration = 3, reward_mean = 9.0 });

        Assert.Equal(["{\"iteration\":0,\"reward_mean\":0}", "{\"iteration\":1,\"reward_mean\":0.5}", "{\"iteration\":2,\"reward_mean\":1}", "{\"iteration\":3,\"reward_mean\":9}"],
            File.ReadAllLines(path));
    }
}
