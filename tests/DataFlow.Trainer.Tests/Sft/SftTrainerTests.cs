using DataFlow.Trainer.Checkpoints;
using DataFlow.Engine.Documents;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Lora;
using DataFlow.Trainer.Sft;
using TorchSharp;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests.Sft;

public class SftTrainerTests
{
    private sealed class ListRejects(OnError policy) : IRejectSink
    {
        public List<Reject> Rejects { get; } = [];
        public void Reject(Reject reject)
        {
            if (policy == OnError.Fail) throw new BadInputException(reject);
            Rejects.Add(reject);
        }
    }

    [Fact]
    public void Bad_records_are_skipped_with_file_and_line_or_fail_the_load()
    {
        var directory = RlhfFixtures.TempDirectory();
        var path = Path.Combine(directory, "mixed.jsonl");
        File.WriteAllLines(path, [
            """{"prompt":"What is 1 + 1?","completion":"2"}""",
            """{"prompt":"missing completion"}""",
            """{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":""}]}""",
            $$"""{"prompt":"{{new string('x', 500)}}","completion":"long"}""",
            """{"instruction":"Say ok","output":"ok"}""",
        ]);
        var rejects = new ListRejects(OnError.Skip);
        var data = SftDataset.Load([path], ChatFormat.Auto, ChatTemplate.Default, ChatTokenizer.Load("bytes"), 128, rejects);
        Assert.Equal(2, data.Examples.Count);
        Assert.Equal([2L, 3L, 4L], rejects.Rejects.Select(r => r.Line));
        Assert.All(rejects.Rejects, r => Assert.Equal(path, r.File));
        Assert.Contains("missing field 'completion'", rejects.Rejects[0].Reason);
        Assert.Contains("empty assistant turn", rejects.Rejects[1].Reason);
        Assert.Contains("longer than max_tokens 128", rejects.Rejects[2].Reason);

        var failure = Assert.Throws<BadInputException>(() =>
            SftDataset.Load([path], ChatFormat.Auto, ChatTemplate.Default, ChatTokenizer.Load("bytes"), 128, new ListRejects(OnError.Fail)));
        Assert.Equal($"{path}:2", failure.Reject.Location);
    }

    [Fact]
    public void Checkpoints_keep_the_newest_keep_last_and_a_rerun_resumes_from_the_newest()
    {
        var directory = RlhfFixtures.TempDirectory();
        var data = RlhfFixtures.WriteSyntheticTasks(directory, 40, seed: 5);
        var output = Path.Combine(directory, "out");
        SftConfig Config(int stopAfter) => new()
        {
            Train = [data], Output = output, Model = RlhfFixtures.Config(), MaxSteps = 5, BatchSize = 2, WarmupSteps = 1,
            EvalEvery = 100, CheckpointEvery = 1, KeepLast = 2, SampleCount = 1, StopAfter = stopAfter, Threads = 1,
        };
        var tokenizer = ChatTokenizer.Load("bytes");
        var first = new SftTrainer(Config(3), tokenizer, _ => { }).Run(new ListRejects(OnError.Fail));
        Assert.Equal((0L, 3L, 3), (first.FirstStep, first.Steps, first.Losses.Count));
        Assert.Equal([2L, 3L], CheckpointStore.In(output, 2).List().Select(c => c.Step));

        var log = new List<string>();
        var second = new SftTrainer(Config(0), tokenizer, log.Add).Run(new ListRejects(OnError.Fail));
        Assert.Contains(log, line => line.Contains("resumed from") && line.Contains("step-00000003") && line.EndsWith("at step 3"));
        Assert.Equal((3L, 2L, 2), (second.FirstStep, second.Steps, second.Losses.Count));
        Assert.Equal([4L, 5L], CheckpointStore.In(output, 2).List().Select(c => c.Step));
        Assert.Equal(second.LastCheckpoint, CheckpointStore.In(output, 2).Latest());
        Assert.True(second.Tokens >= 2 * 2 * 3, $"{second.Tokens} tokens"); // 2 steps x 2 rows x at least 3 tokens a row
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_run_resumed_from_its_checkpoint_ends_with_the_same_weights(bool lora)
    {
        var directory = RlhfFixtures.TempDirectory();
        var data = RlhfFixtures.WriteSyntheticTasks(directory, 200, seed: 5);
        SftConfig Config(string output, int stopAfter) => new()
        {
            Train = [data], Output = output, Model = RlhfFixtures.Config(), MaxSteps = 12, BatchSize = 4, GradAccumSteps = 2,
            WarmupSteps = 3, EvalEvery = 100, CheckpointEvery = 100, SampleCount = 4, StopAfter = stopAfter, Seed = 9,
            Lora = lora ? new LoraConfig { Rank = 2, Dropout = 0.1 } : null,
        };
        var tokenizer = ChatTokenizer.Load("bytes");
        var straight = Path.Combine(directory, "straight");
        var resumed = Path.Combine(directory, "resumed");
        new SftTrainer(Config(straight, 0), tokenizer, _ => { }).Run(new ListRejects(OnError.Fail));
        new SftTrainer(Config(resumed, 5), tokenizer, _ => { }).Run(new ListRejects(OnError.Fail));
        Assert.False(Directory.Exists(Path.Combine(resumed, SftTrainer.FinalDir)));
        new SftTrainer(Config(resumed, 0), tokenizer, _ => { }).Run(new ListRejects(OnError.Fail));

        var file = lora ? LoraAdapters.WeightsFile : ModelWeights.WeightsFile;
        var a = TorchSharp.PyBridge.Safetensors.LoadStateDict(Path.Combine(straight, SftTrainer.FinalDir, file));
        var b = TorchSharp.PyBridge.Safetensors.LoadStateDict(Path.Combine(resumed, SftTrainer.FinalDir, file));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var key in a.Keys) Assert.True(a[key].allclose(b[key], rtol: 0, atol: 0), $"{key} differs after resume");
        Assert.NotEmpty(a.Keys);
    }
}
