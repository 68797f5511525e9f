using DataFlow.Trainer.Checkpoints;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Ppo;
using DataFlow.Trainer.Reward;
using DataFlow.Trainer.Sft;
using DataFlow.Trainer.Tests.Sft;
using TorchSharp;
using TorchSharp.PyBridge;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Trainer.Tests.Ppo;

public class PpoResumeTests
{
    private sealed class FailOnReject : IRejectSink
    {
        public void Reject(Reject reject) => throw new BadInputException(reject);
    }

    [Fact]
    public void Reward_and_ppo_runs_resumed_from_checkpoints_end_identically()
    {
        var directory = RlhfFixtures.TempDirectory();
        var prompts = RlhfFixtures.WriteSyntheticTasks(directory, 40, seed: 11);
        var pairs = Path.Combine(directory, "pairs.jsonl");
        var random = new Random(2);
        File.WriteAllLines(pairs, Enumerable.Range(0, 40).Select(_ => VerifiableTasks.Generate(random))
            .Select(e => System.Text.Json.JsonSerializer.Serialize(new { prompt = e.Prompt, chosen = e.Answer, rejected = VerifiableTasks.WrongAnswer(e, random) })));
        torch.manual_seed(5);
        using (var policy = new Transformer(RlhfFixtures.Config())) ModelWeights.Save(policy, policy.Config, Path.Combine(directory, "sft"), ChatTokenizer.Load("bytes"));
        var tokenizer = ChatTokenizer.Load("bytes");

        RewardConfig Reward(string output, int stopAfter) => new()
        {
            Train = [pairs], Init = Path.Combine(directory, "sft"), Output = output, MaxSteps = 6, BatchSize = 4, EvalFraction = 0.2,
            WarmupSteps = 2, EvalEvery = 100, CheckpointEvery = 100, StopAfter = stopAfter,
        };
        new RewardTrainer(Reward(Path.Combine(directory, "rm-straight"), 0), tokenizer, _ => { }).Run(new FailOnReject());
        new RewardTrainer(Reward(Path.Combine(directory, "rm-resumed"), 4), tokenizer, _ => { }).Run(new FailOnReject());
        var rewardProgress = new TaskProgress();
        var resumedReward = new RewardTrainer(Reward(Path.Combine(directory, "rm-resumed"), 0), tokenizer, _ => { }) { Progress = rewardProgress }.Run(new FailOnReject());
        // A resumed invocation reports its steps from the checkpoint's (4) to the end (6), and only its own tokens.
        Assert.Equal((4L, 6L, 6L), (rewardProgress.FirstStep, rewardProgress.Step, rewardProgress.TotalSteps));
        Assert.Equal((resumedReward.Tokens, resumedReward.LastLoss), (rewardProgress.Tokens, rewardProgress.LastLoss));
        AssertSameTensors(Path.Combine(directory, "rm-straight", "final", ModelWeights.WeightsFile), Path.Combine(directory, "rm-resumed", "final", ModelWeights.WeightsFile));

        PpoConfig Ppo(string output, int stopAfter) => new()
        {
            Prompts = [prompts], EvalPrompts = [prompts], TestPrompts = [prompts], EvalSamples = 2, Actor = Path.Combine(directory, "sft"), Reward = Path.Combine(directory, "rm-straight", "final"),
            Output = output, Iterations = 3, RolloutBatch = 8, GroupSize = 2, MiniBatch = 4, PpoEpochs = 2, MaxNewTokens = 6, KlTarget = 1.0,
            ActorLearningRate = 1e-3, EvalEvery = 100, CheckpointEvery = 100, StopAfter = stopAfter, PtxCoef = 0.1, PtxData = [prompts],
        };
        new PpoTrainer(Ppo(Path.Combine(directory, "ppo-straight"), 0), tokenizer, _ => { }).Run(new FailOnReject());
        new PpoTrainer(Ppo(Path.Combine(directory, "ppo-resumed"), 2), tokenizer, _ => { }).Run(new FailOnReject());
        Assert.True(File.Exists(Path.Combine(new CheckpointStore(Path.Combine(directory, "ppo-resumed", CheckpointStore.FolderName)).Latest()!, "critic", ModelWeights.WeightsFile)));
        Assert.True(File.Exists(Path.Combine(new CheckpointStore(Path.Combine(directory, "ppo-resumed", CheckpointStore.FolderName)).Latest()!, PpoTrainer.CriticOptimizerFile)));
        var ppoProgress = new TaskProgress();
        var resumedPpo = new PpoTrainer(Ppo(Path.Combine(directory, "ppo-resumed"), 0), tokenizer, _ => { }) { Progress = ppoProgress }.Run(new FailOnReject());
        Assert.Equal((2L, 3L, 3L), (ppoProgress.FirstStep, ppoProgress.Step, ppoProgress.TotalSteps));
        Assert.Equal((resumedPpo.Tokens, resumedPpo.LastLoss), (ppoProgress.Tokens, ppoProgress.LastLoss));
        // Reward and KL of the live line are those the metrics file holds for the last iteration.
        var iteration3 = File.ReadLines(Path.Combine(directory, "ppo-resumed", "metrics.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Single(r => r.TryGetProperty("reward_mean", out _) && r.GetProperty("iteration").GetInt32() == 3);
        Assert.Equal(iteration3.GetProperty("reward_mean").GetDouble(), ppoProgress.LastReward!.Value, 1e-6); // float32 in the file
        Assert.Equal(iteration3.GetProperty("kl_k1").GetDouble(), ppoProgress.LastKl!.Value, 1e-6);
        AssertSameTensors(Path.Combine(directory, "ppo-straight", "final", ModelWeights.WeightsFile), Path.Combine(directory, "ppo-resumed", "final", ModelWeights.WeightsFile));
        AssertSameTensors(Path.Combine(new CheckpointStore(Path.Combine(directory, "ppo-straight", CheckpointStore.FolderName)).Latest()!, "critic", ModelWeights.WeightsFile), Path.Combine(new CheckpointStore(Path.Combine(directory, "ppo-resumed", CheckpointStore.FolderName)).Latest()!, "critic", ModelWeights.WeightsFile));

        // The metrics of the resumed iteration equal the uninterrupted run's (timings aside).
        static string Strip(string line) => System.Text.RegularExpressions.Regex.Replace(line, "\"(generation|scoring|training)_s\":[^,}]*|\"generation_tokens_per_s\":[^,}]*", "");
        var straight = File.ReadAllLines(Path.Combine(directory, "ppo-straight", "metrics.jsonl")).Select(Strip).ToList();
        var resumed = File.ReadAllLines(Path.Combine(directory, "ppo-resumed", "metrics.jsonl")).Select(Strip).ToList();
        Assert.Equal(straight, resumed);

        // Every evaluation compares the actor with the SFT policy prompt by prompt; at iteration 0 they are the same model.
        var lines = File.ReadAllLines(Path.Combine(directory, "ppo-straight", "metrics.jsonl"));
        var evals = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).Where(r => r.TryGetProperty("eval_true_score", out _)).ToList();
        Assert.Equal([0, 3], evals.Select(r => r.GetProperty("iteration").GetInt32()));
        Assert.Equal(0.0, evals[0].GetProperty("eval_vs_sft_true_score_gain").GetDouble());
        Assert.Equal(0.0, evals[0].GetProperty("eval_vs_sft_sampled_reward_gain").GetDouble());
        Assert.Equal(0, evals[0].GetProperty("eval_vs_sft_reward_better").GetInt32() + evals[0].GetProperty("eval_vs_sft_reward_worse").GetInt32());
        Assert.Equal(40, evals[1].GetProperty("eval_prompts").GetInt32());
        var last = evals[1];
        Assert.True(last.GetProperty("eval_vs_sft_reward_gain_ci_low").GetDouble() <= last.GetProperty("eval_vs_sft_reward_gain_ci_high").GetDouble());
        Assert.InRange(last.GetProperty("eval_vs_sft_true_score_sign_test_p").GetDouble(), 0, 1);
        // The final policy is also scored on the test prompts, once, at the end.
        var test = System.Text.Json.JsonDocument.Parse(lines[^1]).RootElement;
        Assert.Equal(3, test.GetProperty("iteration").GetInt32());
        Assert.True(test.TryGetProperty("test_vs_sft_sampled_true_score_gain_ci_high", out _));
    }

    private static void AssertSameTensors(string a, string b)
    {
        var left = Safetensors.LoadStateDict(a);
        var right = Safetensors.LoadStateDict(b);
        Assert.Equal(left.Keys.Order(), right.Keys.Order());
        foreach (var key in left.Keys) Assert.True(left[key].allclose(right[key], rtol: 0, atol: 0), $"{key} differs after resume ({a})");
    }
}
