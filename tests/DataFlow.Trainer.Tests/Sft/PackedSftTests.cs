using System.Text.Json;
using DataFlow.Cli.Commands;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Execution;
using DataFlow.Jobs;
using DataFlow.Jobs.Training;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using static TorchSharp.torch;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Trainer.Tests.Sft;

/// <summary>Packed SFT rows (several conversations per row) and training from the shards sft_prepare writes.</summary>
public sealed class PackedSftTests
{
    private static readonly ByteChatTokenizer Tokenizer = new();

    static PackedSftTests() => RunSession.DefaultCatalog = () => StandardStages.Create().AddTraining();

    private static TokenizedConversation Encode(string prompt, string answer) =>
        TokenizedConversation.Encode(ChatTemplate.Default.Render(Conversation.SingleTurn(prompt, answer)), Tokenizer);

    private sealed class FailRejects : IRejectSink
    {
        public void Reject(Reject reject) => throw new BadInputException(reject);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)] // grouped-query attention
    public void A_conversation_inside_a_packed_row_has_the_logits_it_has_alone(int kvHeads)
    {
        var config = RlhfFixtures.Config() with { ContextLength = 96, KvHeads = kvHeads };
        using var model = TinyModels.Build(config, seed: 11);
        model.eval();
        var conversations = new[] { Encode("ab", "c"), Encode("What is 2 + 3?", "5"), Encode("xyz", "zyx"), Encode("Hello", "Hi there") };
        var rows = new List<SftRow>();
        var builder = new SftRowBuilder(48, SftShardLayout.Packed, Tokenizer.PadId, rows.Add);
        foreach (var c in conversations) builder.Add(c);
        builder.Flush();
        Assert.True(rows.Count >= 2, "the rows should be of different widths (one row shorter than the other)");
        Assert.True(rows.Max(r => r.Conversations) >= 2, "a row should hold several conversations");

        using var noGrad = no_grad();
        var (inputs, _, layout) = SftBatch.Collate(rows, Tokenizer.PadId);
        Assert.NotNull(layout);
        var packed = model.Forward(inputs, layout!);
        var plain = model.forward(inputs); // what the row would give without the layout: later conversations see earlier ones
        var next = 0;
        var crossTalk = 0.0;
        for (var r = 0; r < rows.Count; r++)
        {
            var offset = 0;
            for (var k = 0; k < rows[r].Conversations; k++, next++)
            {
                var c = conversations[next];
                // Reference: the conversation run alone through the plain causal forward, positions 0..L-2.
                var alone = model.forward(tensor(c.Ids[..^1].Select(i => (long)i).ToArray(), [1, c.Length - 1]))[0];
                var inRow = packed[r].narrow(0, offset, c.Length - 1);
                var diff = (inRow - alone).abs().max().item<float>();
                Assert.True(diff < 1e-5, $"row {r} conversation {k}: logits differ by {diff}");
                if (k > 0) crossTalk = Math.Max(crossTalk, (plain[r].narrow(0, offset, c.Length - 1) - alone).abs().max().item<float>());
                offset += c.Length;
            }
        }
        Assert.Equal(conversations.Length, next);
        Assert.True(crossTalk > 1e-3, $"without the layout the packed logits should differ (max {crossTalk})");
    }

    [Fact]
    public void No_target_of_a_packed_row_crosses_a_conversation_boundary()
    {
        // Hand-built row: conversation 1 = 10 11 12, conversation 2 = 13 14 15, then padding; every real token is in
        // the loss mask, even the first of conversation 2, which must still not be the target of conversation 1's last.
        const int pad = 0;
        var row = new SftRow([10, 11, 12, 13, 14, 15, pad, pad], [0, 1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 2, 2, 2, 0, 0]);
        var (inputs, targets, layout) = SftBatch.Collate([row], pad);
        const long X = SftBatch.IgnoreIndex;
        Assert.Equal(new long[] { 10, 11, 12, 13, 14 }, inputs.data<long>().ToArray());
        Assert.Equal(new long[] { 11, 12, X, 14, 15 }, targets.data<long>().ToArray());
        Assert.NotNull(layout);
        Assert.Equal(new long[] { 0, 1, 2, 0, 1 }, layout!.Positions.data<long>().ToArray());
        // Block-diagonal causal mask, written out by hand (row = query, column = key).
        bool[] expected =
        [
            true, false, false, false, false,
            true, true, false, false, false,
            true, true, true, false, false,
            false, false, false, true, false,
            false, false, false, true, true,
        ];
        Assert.Equal(new long[] { 1, 1, 5, 5 }, layout.Mask.shape);
        Assert.Equal(expected, layout.Mask.data<bool>().ToArray());
    }

    [Theory]
    [InlineData("padded")]
    [InlineData("packed")]
    public void Sft_trains_from_prepared_shards(string layout)
    {
        var dir = RlhfFixtures.TempDirectory();
        var data = RlhfFixtures.WriteSyntheticTasks(dir, 240, seed: 4);
        var prepared = Prepare(dir, data, layout, "bytes");
        var shard = SftShardFile.Read(Path.Combine(prepared, "part-00000.parquet"));
        if (layout == "packed") Assert.Contains(shard.Segments!, s => s.Max() >= 3);
        else Assert.Equal(240, shard.Tokens.Count);

        var output = Path.Combine(dir, "sft");
        var trainer = new SftTrainer(Config(prepared, output, init: null), ChatTokenizer.Load("bytes"), _ => { });
        trainer.Run(new FailRejects());
        var metrics = File.ReadLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var losses = metrics.Where(m => m.TryGetProperty("loss", out _)).Select(m => m.GetProperty("loss").GetDouble()).ToList();
        var evalLosses = metrics.Where(m => m.TryGetProperty("eval_loss", out _)).Select(m => m.GetProperty("eval_loss").GetDouble()).ToList();
        Console.WriteLine($"sft from {layout} shards: training loss {losses[0]:F3} -> {losses[^1]:F3}, held-out {evalLosses[0]:F3} -> {evalLosses[^1]:F3}");
        Assert.True(losses[^1] < losses[0] - 1.0, $"{layout}: training loss {losses[0]:F3} -> {losses[^1]:F3}");
        Assert.True(evalLosses[^1] < evalLosses[0] - 1.0, $"{layout}: held-out loss {evalLosses[0]:F3} -> {evalLosses[^1]:F3}");
        Assert.True(File.Exists(Path.Combine(output, SftTrainer.FinalDir, ModelWeights.WeightsFile)));
    }

    [Fact]
    public void Shards_of_another_tokenizer_are_refused_before_training()
    {
        var dir = RlhfFixtures.TempDirectory();
        var data = RlhfFixtures.WriteSyntheticTasks(dir, 20, seed: 2);
        var prepared = Prepare(dir, data, "packed", "gpt2");
        var init = Path.Combine(dir, "init");
        var bytes = ChatTokenizer.Load("bytes");
        using (var model = TinyModels.Build(RlhfFixtures.Config() with { ContextLength = 128 }))
            ModelWeights.Save(model, model.Config, init, bytes);
        var output = Path.Combine(dir, "sft");
        var error = Assert.Throws<InvalidDataException>(() =>
            new SftTrainer(Config(prepared, output, init), ModelTokenizer.Load(init), _ => { }).Run(new FailRejects()));
        Assert.Contains("'gpt2'", error.Message);
        Assert.Contains($"init model {init}", error.Message);
        Assert.Contains("'bytes'", error.Message);
        Assert.Contains("part-00000.parquet", error.Message);
        Assert.False(Directory.Exists(output), "nothing is trained or written");
    }

    [Fact]
    public void A_pipeline_sft_stage_trains_on_the_shards_of_a_named_sft_prepare_stage()
    {
        var dir = RlhfFixtures.TempDirectory();
        var data = RlhfFixtures.WriteSyntheticTasks(dir, 60, seed: 6);
        var config = Path.Combine(dir, "sft.yaml");
        File.WriteAllText(config, """
            model: {vocab_size: 262, dim: 32, layers: 1, heads: 2, context_length: 128}
            tokenizer: bytes
            max_steps: 4
            batch_size: 4
            warmup_steps: 1
            log_every: 1
            eval_every: 100
            checkpoint_every: 100
            eval_fraction: 0.1
            threads: 1
            """);
        var pipeline = Path.Combine(dir, "pipeline.yaml");
        File.WriteAllText(pipeline, $"""
            workers: 1
            stages:
              - type: sft_prepare
                name: chat_shards
                input: {data}
                layout: packed
                max_tokens: 128
                tasks: 1
              - type: sft
                name: sft
                config: {config}
                data: chat_shards
            """);
        var session = RunSession.Create(pipeline, Path.Combine(dir, "run"), StandardStages.Create().AddTraining());
        new LocalExecutor(1).Run(session.Run, session.Pipeline, CancellationToken.None);

        var output = session.Run.OutputDir(session.Pipeline.Stages[^1]);
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "summary.json"))).RootElement;
        Assert.Contains("training rows", string.Join("\n", summary.GetProperty("log").EnumerateArray().Select(l => l.GetString())));
        Assert.Equal(4, summary.GetProperty("steps").GetInt32());
        Assert.True(File.Exists(Path.Combine(output, SftTrainer.FinalDir, ModelWeights.WeightsFile)));
    }

    private static SftConfig Config(string train, string output, string? init) => new()
    {
        Train = [train], Output = output, Init = init, Model = init is null ? RlhfFixtures.Config() with { ContextLength = 128 } : null,
        MaxTokens = 128, MaxSteps = 40, BatchSize = 8, WarmupSteps = 4, LearningRate = 5e-3, LogEvery = 5, EvalEvery = 100,
        CheckpointEvery = 100, SampleCount = 2, EvalFraction = 0.1, Seed = 3,
    };

    private static string Prepare(string dir, string input, string layout, string tokenizer)
    {
        var output = Path.Combine(dir, $"prepared-{layout}");
        var settings = new SftPrepareCommand.Settings
        {
            Input = [input], Output = output, Layout = layout, MaxTokens = 128, Tokenizer = tokenizer, Tasks = 1, Workers = 1,
        };
        Assert.Equal(0, SftPrepareCommand.Run(settings, CancellationToken.None));
        return output;
    }
}
