using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Ppo;
using DataFlow.Trainer.Sft;
using DataFlow.Trainer.Tests.Sft;

namespace DataFlow.Trainer.Tests.Ppo;

/// <summary>
/// PPO end to end against a programmatic reward: the number of response tokens that are ASCII bytes (ids below 128,
/// about half of the 262-id vocabulary, so a random tiny actor scores about 4 of 8). PPO must raise the mean reward
/// well beyond the batch-to-batch noise while the KL to the reference stays bounded; with actor learning rate 0 the
/// same run must not pass the improvement test (so the test can fail).
/// </summary>
public class ToyRewardPpoTests
{
    private const int Iterations = 30, RolloutBatch = 16, Window = 5;

    private sealed class FailOnReject : IRejectSink
    {
        public void Reject(Reject reject) => throw new BadInputException(reject);
    }

    private static List<JsonElement> Train(string directory, double actorLearningRate)
    {
        var output = Path.Combine(directory, $"ppo-lr{actorLearningRate}");
        var config = new PpoConfig
        {
            Prompts = [Path.Combine(directory, "tasks-11.jsonl")], Actor = Path.Combine(directory, "sft"), Reward = "", Output = output,
            Iterations = Iterations, RolloutBatch = RolloutBatch, MiniBatch = 8, PpoEpochs = 2, MaxNewTokens = 8,
            ActorLearningRate = actorLearningRate, CriticLearningRate = 1e-3, KlCoef = 0.5, EvalEvery = 1000, CheckpointEvery = 1000, Seed = 3,
        };
        var scorer = new FunctionScorer((_, response) => response.Count(id => id < 128));
        new PpoTrainer(config, ChatTokenizer.Load("bytes"), _ => { }) { Scorer = scorer }.Run(new FailOnReject());
        return File.ReadLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(r => r.TryGetProperty("reward_mean", out _)).ToList();
    }

    /// <summary>Mean reward of the last window minus the first, and the standard error of that difference (from each batch's reward_std).</summary>
    private static (double Gain, double StandardError) Improvement(IReadOnlyList<JsonElement> metrics)
    {
        double Mean(IEnumerable<JsonElement> rows) => rows.Average(r => r.GetProperty("reward_mean").GetDouble());
        double Variance(IEnumerable<JsonElement> rows) => rows.Sum(r => Math.Pow(r.GetProperty("reward_std").GetDouble(), 2) / RolloutBatch) / (Window * Window);
        var (first, last) = (metrics.Take(Window).ToList(), metrics.TakeLast(Window).ToList());
        return (Mean(last) - Mean(first), Math.Sqrt(Variance(first) + Variance(last)));
    }

    [Fact]
    public void Ppo_raises_a_programmatic_reward_beyond_noise_with_bounded_kl_and_not_without_learning()
    {
        var directory = RlhfFixtures.TempDirectory();
        RlhfFixtures.WriteSyntheticTasks(directory, 32, seed: 11);
        using (var actor = TinyModels.Build(RlhfFixtures.Config(), seed: 5))
            ModelWeights.Save(actor, actor.Config, Path.Combine(directory, "sft"), ChatTokenizer.Load("bytes"));

        var trained = Train(directory, actorLearningRate: 3e-3);
        Assert.Equal(Iterations, trained.Count);
        var (gain, se) = Improvement(trained);
        Assert.True(gain > 4 * se, $"PPO gain {gain:F3} is not above 4 standard errors ({se:F3})");
        // Bounded: the actor moved (k3 > 0), but less than the KL of putting all mass on the rewarded half
        // (8 tokens x log(262 / 128) = 5.7 nats), and k1 and k3 agree in size.
        var lastKl = trained.TakeLast(Window).Select(r => (K1: r.GetProperty("kl_k1").GetDouble(), K3: r.GetProperty("kl_k3").GetDouble())).ToList();
        Assert.All(lastKl, kl => Assert.InRange(kl.K3, 1e-3, 3.0));
        Assert.All(lastKl, kl => Assert.InRange(kl.K1, -1.0, 3.0));

        var frozen = Train(directory, actorLearningRate: 0);
        var (frozenGain, frozenSe) = Improvement(frozen);
        Assert.False(frozenGain > 4 * frozenSe, $"without learning the gain {frozenGain:F3} should be noise ({frozenSe:F3})");
        Assert.All(frozen, r => Assert.InRange(r.GetProperty("kl_k3").GetDouble(), 0, 1e-4));
    }
}
