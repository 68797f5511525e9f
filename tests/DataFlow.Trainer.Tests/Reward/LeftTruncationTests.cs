using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Reward;
using DataFlow.Trainer.Tests.Sft;
using TorchSharp;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests.Reward;

public class LeftTruncationTests
{
    private sealed class CollectRejects : IRejectSink
    {
        public List<Reject> Rejects { get; } = [];
        public void Reject(Reject reject) => Rejects.Add(reject);
    }

    /// <summary>Two HH dialogues with a long shared beginning that differ only in the last assistant turn.</summary>
    private static string WriteHhPair(string directory)
    {
        var prefix = "\n\nHuman: " + string.Join(" ", Enumerable.Repeat("tell me a long story about boats", 6)) + "\n\nAssistant: Sure.\n\nHuman: And then?";
        var path = Path.Combine(directory, "hh.jsonl");
        File.WriteAllLines(path,
        [
            JsonSerializer.Serialize(new { chosen = prefix + "\n\nAssistant: I can't help with that.", rejected = prefix + "\n\nAssistant: Here is how, step by step." }),
            JsonSerializer.Serialize(new { chosen = "\n\nHuman: hi\n\nAssistant: hello", rejected = "\n\nHuman: hi\n\nAssistant: go away" }),
        ]);
        return path;
    }

    [Fact]
    public void Left_truncation_keeps_the_end_of_each_side_and_its_last_token()
    {
        var directory = RlhfFixtures.TempDirectory();
        var path = WriteHhPair(directory);
        var tokenizer = ChatTokenizer.Load("bytes");
        var template = ChatTemplate.Default;
        var full = PreferenceDataset.Load([path], template, tokenizer, 10_000, new CollectRejects());
        Assert.True(full[0].Chosen.Length > 100 && full[0].Rejected.Length > 100);

        // Without truncation the long pair is rejected with its line; the short one loads.
        var rejects = new CollectRejects();
        Assert.Single(PreferenceDataset.Load([path], template, tokenizer, 64, rejects));
        Assert.Equal(1L, Assert.Single(rejects.Rejects).Line);

        var lengths = new List<(int Chosen, int Rejected)>();
        var truncated = PreferenceDataset.Load([path], template, tokenizer, 64, new CollectRejects(), PreferenceTruncation.Left, lengths);
        Assert.Equal(2, truncated.Count);
        Assert.Equal(full[0].Chosen[^64..], truncated[0].Chosen);
        Assert.Equal(full[0].Rejected[^64..], truncated[0].Rejected);
        Assert.Equal(tokenizer.SpecialTokenId(template.EndOfTextToken), truncated[0].Chosen[^1]);
        Assert.Equal(full[1].Chosen, truncated[1].Chosen); // short pairs are untouched
        Assert.Equal(full[1].Rejected, truncated[1].Rejected);
        // The kept ends still hold the differing answers, and the untruncated lengths are reported for the length baseline.
        Assert.Contains("step by step", tokenizer.Decode(truncated[0].Rejected));
        Assert.Equal([(full[0].Chosen.Length, full[0].Rejected.Length), (full[1].Chosen.Length, full[1].Rejected.Length)], lengths);
        var (longer, ties) = PreferenceDataset.LengthBaseline(lengths);
        Assert.Equal(0.0, longer); // both chosen answers are the shorter ones
        Assert.Equal(0.0, ties);

        // The value head reads the truncated sequence at its last non-pad token (the end-of-text), padded or alone.
        torch.manual_seed(3);
        using var model = new RewardModel(RlhfFixtures.Config());
        model.eval();
        using var noGrad = no_grad();
        var (tokens, lengthTensor) = RewardTrainer.RightPad([truncated[1].Chosen, truncated[0].Chosen], tokenizer.PadId);
        var batch = model.Score(tokens, lengthTensor);
        var alone = model.Score(tensor(truncated[1].Chosen.Select(i => (long)i).ToArray()).view(1, -1), tensor(new long[] { truncated[1].Chosen.Length }));
        Assert.Equal(alone.item<float>(), batch[0].item<float>(), 5);
        Assert.Equal(model.forward(tokens)[1, 63].item<float>(), batch[1].item<float>());
    }

    [Fact]
    public void A_fresh_reward_model_trains_on_left_truncated_dialogues_and_reports_the_length_baseline()
    {
        var directory = RlhfFixtures.TempDirectory();
        var path = WriteHhPair(directory);
        var config = new RewardConfig
        {
            Train = [path], Eval = [path], Model = RlhfFixtures.Config(), Truncate = PreferenceTruncation.Left, MaxTokens = 64,
            MaxSteps = 3, BatchSize = 2, WarmupSteps = 1, EvalEvery = 3, CheckpointEvery = 3, Output = Path.Combine(directory, "rm"),
        };
        var log = new List<string>();
        var rejects = new CollectRejects();
        new RewardTrainer(config, ChatTokenizer.Load("bytes"), log.Add).Run(rejects);
        Assert.Empty(rejects.Rejects);
        Assert.True(File.Exists(Path.Combine(directory, "rm", "final", "model.safetensors")));
        Assert.Contains(log, l => l.Contains("longer answer wins 0.0 %"));
        var last = JsonDocument.Parse(File.ReadLines(Path.Combine(directory, "rm", "metrics.jsonl")).Last()).RootElement;
        Assert.Equal(0.0, last.GetProperty("eval_longer_wins").GetDouble());
        Assert.Throws<ArgumentException>(() => (config with { Init = "somewhere" }).Validate());
    }
}
