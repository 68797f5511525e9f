using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Reward;
using DataFlow.Trainer.Sft;
using DataFlow.Trainer.Tests.Sft;
using TorchSharp;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Trainer.Tests.Reward;

public class RewardEvalByFileTests
{
    private sealed class FailOnReject : IRejectSink
    {
        public void Reject(Reject reject) => throw new BadInputException(reject);
    }

    [Fact]
    public void Each_eval_file_is_scored_on_its_own_and_the_pooled_accuracy_is_their_weighted_mean()
    {
        var directory = RlhfFixtures.TempDirectory();
        string WritePairs(string name, int count, int seed)
        {
            var random = new Random(seed);
            var path = Path.Combine(directory, name + ".jsonl");
            File.WriteAllLines(path, Enumerable.Range(0, count).Select(_ => VerifiableTasks.Generate(random))
                .Select(e => JsonSerializer.Serialize(new { prompt = e.Prompt, chosen = e.Answer, rejected = VerifiableTasks.WrongAnswer(e, random) })));
            return path;
        }
        var train = WritePairs("train", 24, 1);
        var evalA = WritePairs("eval-a", 10, 2);
        var evalB = WritePairs("eval-b", 30, 3);
        torch.manual_seed(5);
        using (var policy = new Transformer(RlhfFixtures.Config())) ModelWeights.Save(policy, policy.Config, Path.Combine(directory, "sft"), ChatTokenizer.Load("bytes"));
        var config = new RewardConfig
        {
            Train = [train], Eval = [evalA, evalB], Init = Path.Combine(directory, "sft"), Output = Path.Combine(directory, "rm"),
            MaxSteps = 3, BatchSize = 4, WarmupSteps = 1, EvalEvery = 100, CheckpointEvery = 100, LearningRate = 1e-2,
        };
        new RewardTrainer(config, ChatTokenizer.Load("bytes"), _ => { }).Run(new FailOnReject());

        var evals = File.ReadAllLines(Path.Combine(config.Output, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("eval_accuracy_by_file", out _)).ToList();
        Assert.Equal([0, 3], evals.Select(e => e.GetProperty("step").GetInt32()));
        foreach (var e in evals)
        {
            var byFile = e.GetProperty("eval_accuracy_by_file");
            var (a, b) = (byFile.GetProperty("eval-a").GetDouble(), byFile.GetProperty("eval-b").GetDouble());
            Assert.Equal((10 * a + 30 * b) / 40, e.GetProperty("eval_accuracy").GetDouble(), 9);
        }

        // Rerunning the finished run trains nothing and reports the held-out numbers of the final weights again.
        new RewardTrainer(config, ChatTokenizer.Load("bytes"), _ => { }).Run(new FailOnReject());
        var again = File.ReadAllLines(Path.Combine(config.Output, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("eval_accuracy_by_file", out _)).ToList();
        Assert.Equal(3, again.Count);
        Assert.Equal(again[1].GetProperty("eval_accuracy").GetDouble(), again[2].GetProperty("eval_accuracy").GetDouble(), 9);
    }
}
