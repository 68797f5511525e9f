using System.Text.Json;
using DataFlow.Cli.Commands;
using DataFlow.Engine.Execution;
using DataFlow.Jobs;
using DataFlow.Jobs.Training;
using DataFlow.Text.Chat;

namespace DataFlow.Trainer.Tests.Sft;

public sealed class SftPrepareTests
{
    private static readonly ByteChatTokenizer Tokenizer = new();

    // One record of each format; the messages record has two assistant turns and a system prompt.
    private static readonly string[] MixedRecords =
    [
        JsonSerializer.Serialize(new { instruction = "Add the numbers.", input = "2 and 3", output = "5" }),
        JsonSerializer.Serialize(new { messages = new[]
        {
            new { role = "system", content = "Be brief." },
            new { role = "user", content = "Hi" },
            new { role = "assistant", content = "Hello!" },
            new { role = "user", content = "Name a colour." },
            new { role = "assistant", content = "Blue." },
        } }),
        JsonSerializer.Serialize(new { conversations = new[] { new { from = "human", value = "Reverse: cat" }, new { from = "gpt", value = "tac" } } }),
        JsonSerializer.Serialize(new { prompt = "What is 7 - 4?", completion = "3" }),
        JsonSerializer.Serialize(new { question = "Tom has 2 apples and buys 3. How many?", answer = "2 + 3 = 5\n#### 5" }),
    ];

    static SftPrepareTests() => RunSession.DefaultCatalog = () => StandardStages.Create().AddTraining();

    private static string Prepare(string dir, string[] inputs, string layout, int maxTokens, string lossOn = "assistant_only",
        string onError = "skip", int tasks = 1)
    {
        var output = Path.Combine(dir, $"out-{layout}-{lossOn}-{maxTokens}");
        var settings = new SftPrepareCommand.Settings
        {
            Input = inputs, Output = output, Layout = layout, MaxTokens = maxTokens, LossOn = lossOn, OnError = onError,
            Tasks = tasks, Workers = 1,
        };
        Assert.Equal(0, SftPrepareCommand.Run(settings, CancellationToken.None));
        return output;
    }

    private static TokenizedConversation Expected(string record, LossTarget lossOn = LossTarget.AssistantOnly)
    {
        var conversation = ChatRecordParser.Parse(record, ChatFormat.Auto).Conversation!;
        return TokenizedConversation.Encode((ChatTemplate.Default with { LossOn = lossOn }).Render(conversation), Tokenizer);
    }

    private static string WriteJsonl(string dir, string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Padded_rows_are_the_template_rendering_with_mask_exactly_on_assistant_tokens()
    {
        var dir = TinyModels.TempDir("sft-prepare");
        var input = WriteJsonl(dir, "mixed.jsonl", MixedRecords);
        var shard = SftShardFile.Read(Path.Combine(Prepare(dir, [input], "padded", 128), "part-00000.parquet"));

        Assert.Equal(MixedRecords.Length, shard.Tokens.Count);
        Assert.Equal("padded", shard.Metadata["dataflow.sft_layout"]);
        for (var r = 0; r < MixedRecords.Length; r++)
        {
            var expected = Expected(MixedRecords[r]);
            var length = shard.Lengths![r];
            Assert.Equal(expected.Length, length);
            Assert.Equal(128, shard.Tokens[r].Length);
            Assert.Equal(expected.Ids, shard.Tokens[r][..length]);
            Assert.Equal(expected.LossMask.Select(m => m ? 1 : 0), shard.LossMask[r][..length]);
            Assert.All(shard.Tokens[r][length..], t => Assert.Equal(Tokenizer.PadId, t));
            Assert.All(shard.LossMask[r][length..], m => Assert.Equal(0, m));

            // Independently of TokenizedConversation: the text rendered from the row is the template's, and the
            // masked tokens decode to exactly each assistant turn followed by <|end|>.
            var conversation = ChatRecordParser.Parse(MixedRecords[r], ChatFormat.Auto).Conversation!;
            Assert.Equal(ChatTemplate.ToText(ChatTemplate.Default.Render(conversation)), Tokenizer.Decode(shard.Tokens[r][..length]));
            var targets = Tokenizer.Decode(shard.Tokens[r].Where((_, i) => shard.LossMask[r][i] == 1));
            var assistants = string.Concat(conversation.Messages.Where(m => m.Role == ChatRole.Assistant).Select(m => m.Content + "<|end|>"));
            Assert.Equal(assistants, targets);
        }
    }

    [Theory]
    [InlineData("last_assistant")]
    [InlineData("all")]
    public void Loss_on_selects_the_last_answer_or_every_token(string lossOn)
    {
        var dir = TinyModels.TempDir("sft-prepare-loss");
        var input = WriteJsonl(dir, "mixed.jsonl", MixedRecords);
        var shard = SftShardFile.Read(Path.Combine(Prepare(dir, [input], "padded", 128, lossOn), "part-00000.parquet"));
        var target = lossOn == "all" ? LossTarget.AllTokens : LossTarget.LastAssistant;
        var multiTurn = Expected(MixedRecords[1], target);
        var length = shard.Lengths![1];
        Assert.Equal(multiTurn.LossMask.Select(m => m ? 1 : 0), shard.LossMask[1][..length]);
        var targets = Tokenizer.Decode(shard.Tokens[1].Where((_, i) => shard.LossMask[1][i] == 1));
        if (lossOn == "all") Assert.Equal(Tokenizer.Decode(shard.Tokens[1][..length]), targets);
        else Assert.Equal("Blue.<|end|>", targets);
    }

    [Fact]
    public void Packed_rows_are_exactly_max_tokens_and_hold_whole_conversations_in_order()
    {
        var dir = TinyModels.TempDir("sft-prepare-packed");
        var records = Enumerable.Range(0, 40).Select(i => i % 2 == 0
            ? JsonSerializer.Serialize(new { prompt = $"What is {i} + {i % 7}?", completion = $"{i + i % 7}" })
            : MixedRecords[i % MixedRecords.Length]).ToList();
        var input = WriteJsonl(dir, "many.jsonl", records);
        const int maxTokens = 160;
        var shard = SftShardFile.Read(Path.Combine(Prepare(dir, [input], "packed", maxTokens), "part-00000.parquet"));

        Assert.Null(shard.Lengths);
        Assert.All(shard.Tokens, row => Assert.Equal(maxTokens, row.Length));
        var expected = records.Select(r => Expected(r)).ToList();
        var total = expected.Sum(e => e.Length);
        Assert.True(shard.Tokens.Count < records.Count, "packing should put several conversations in a row");
        Assert.True(shard.Tokens.Count >= (total + maxTokens - 1) / maxTokens);

        // Walk each row: conversations end at <|endoftext|>, the rest of the row is padding with mask 0;
        // segment_ids number the row's conversations 1, 2, ... and are 0 on padding.
        var next = 0;
        Assert.NotNull(shard.Segments);
        foreach (var ((row, mask), segments) in shard.Tokens.Zip(shard.LossMask).Zip(shard.Segments!))
        {
            var at = 0;
            var segment = 0;
            while (next < expected.Count && at + expected[next].Length <= maxTokens && row[at] != Tokenizer.PadId)
            {
                var e = expected[next];
                Assert.Equal(e.Ids, row[at..(at + e.Length)]);
                Assert.Equal(e.LossMask.Select(m => m ? 1 : 0), mask[at..(at + e.Length)]);
                segment++;
                Assert.All(segments[at..(at + e.Length)], s => Assert.Equal(segment, s));
                at += e.Length;
                next++;
            }
            Assert.All(segments[at..], s => Assert.Equal(0, s));
            Assert.True(at > 0, "a packed row holds at least one conversation");
            Assert.All(row[at..], t => Assert.Equal(Tokenizer.PadId, t));
            Assert.All(mask[at..], m => Assert.Equal(0, m));
            // The next conversation really did not fit (otherwise packing wasted space).
            if (next < expected.Count) Assert.True(at + expected[next].Length > maxTokens);
        }
        Assert.Equal(expected.Count, next);
    }

    [Fact]
    public void Bad_records_go_to_rejects_with_file_and_line_or_stop_the_run_under_fail()
    {
        var dir = TinyModels.TempDir("sft-prepare-bad");
        var longAnswer = new string('x', 300);
        var input = WriteJsonl(dir, "bad.jsonl",
        [
            MixedRecords[0],
            "{\"instruction\": \"broken",
            JsonSerializer.Serialize(new { messages = new[] { new { role = "user", content = "Hi" }, new { role = "assistant", content = " " } } }),
            JsonSerializer.Serialize(new { prompt = "Say x many times", completion = longAnswer }),
            JsonSerializer.Serialize(new { instruction = "no output field" }),
            MixedRecords[3],
        ]);
        var output = Prepare(dir, [input], "padded", 128);
        var shard = SftShardFile.Read(Path.Combine(output, "part-00000.parquet"));
        Assert.Equal(2, shard.Tokens.Count);
        Assert.Equal(Expected(MixedRecords[3]).Ids, shard.Tokens[1][..shard.Lengths![1]]);

        var rejects = Directory.GetFiles(Path.Combine(output, "_dataflow"), "*.jsonl", SearchOption.AllDirectories)
            .Where(f => f.Contains("reject", StringComparison.Ordinal))
            .SelectMany(File.ReadLines).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([2L, 3L, 4L, 5L], rejects.Select(r => r.GetProperty("line").GetInt64()).Order());
        Assert.All(rejects, r => Assert.Equal(input, r.GetProperty("file").GetString()));
        string Reason(long line) => rejects.Single(r => r.GetProperty("line").GetInt64() == line).GetProperty("reason").GetString()!;
        Assert.Contains("invalid JSON", Reason(2));
        Assert.Contains("empty assistant turn", Reason(3));
        Assert.Contains("longer than max_tokens 128", Reason(4));
        Assert.Contains("missing field 'output'", Reason(5));

        var failure = Assert.ThrowsAny<Exception>(() => Prepare(Path.Combine(dir, "fail"), [input], "padded", 128, onError: "fail"));
        var messages = string.Join(" | ", Chain(failure).Select(e => e.Message));
        Assert.Contains($"{input}:2", messages);
        Assert.False(File.Exists(Path.Combine(dir, "fail", "out-padded-assistant_only-128", "part-00000.parquet")));
    }

    [Fact]
    public void Input_files_are_balanced_across_tasks_and_every_record_lands_once()
    {
        var dir = TinyModels.TempDir("sft-prepare-tasks");
        var files = Enumerable.Range(0, 3).Select(f => WriteJsonl(dir, $"part{f}.jsonl",
            Enumerable.Range(0, 5 + 5 * f).Select(i => JsonSerializer.Serialize(new { prompt = $"f{f} r{i}", completion = "ok" })))).ToList();
        var output = Prepare(dir, [Path.Combine(dir, "*.jsonl")], "padded", 64, tasks: 2);
        var shards = Directory.GetFiles(output, "part-*.parquet").Order(StringComparer.Ordinal).Select(SftShardFile.Read).ToList();
        Assert.Equal(2, shards.Count);
        // Largest file (15 records) alone in task 0, the two smaller (5 + 10) in task 1.
        Assert.Equal([15, 15], shards.Select(s => s.Tokens.Count));
        var prompts = shards.SelectMany(s => s.Tokens.Zip(s.Lengths!, (t, n) => Tokenizer.Decode(t[..n]))).ToList();
        Assert.Equal(30, prompts.Distinct().Count());
        Assert.All(shards[0].Tokens.Zip(shards[0].Lengths!, (t, n) => Tokenizer.Decode(t[..n])), p => Assert.Contains("f2 r", p));
    }

    [Fact]
    public void Shared_gsm8k_train_set_prepares_into_packed_shards()
    {
        var shared = Environment.GetEnvironmentVariable("DATAFLOW_SHARED") ?? "/work/shared";
        var path = Path.Combine(shared, "data/sft/gsm8k-train.jsonl");
        if (!File.Exists(path))
        {
            Console.WriteLine($"skipped: {path} not found (set DATAFLOW_SHARED)");
            return;
        }
        var dir = TinyModels.TempDir("sft-prepare-gsm8k");
        const int maxTokens = 1024; // byte-level tokens: GSM8K answers run to about 1,300 bytes
        var output = Prepare(dir, [path], "packed", maxTokens);
        var shard = SftShardFile.Read(Path.Combine(output, "part-00000.parquet"));
        var lines = File.ReadLines(path).Where(l => l.Trim().Length > 0).ToList();
        var expected = lines.Select(l => Expected(l)).ToList();
        var kept = expected.Where(e => e.Length <= maxTokens).ToList();
        Assert.True(kept.Count > lines.Count * 9 / 10, $"only {kept.Count} of {lines.Count} GSM8K records fit {maxTokens} tokens");

        // Each row's non-pad tokens are the kept conversations in input order; targets sum to theirs.
        var flat = shard.Tokens.SelectMany(row => row.Where((_, i) => i < RowUsed(row))).ToArray();
        Assert.Equal(kept.SelectMany(e => e.Ids), flat);
        Assert.Equal(kept.Sum(e => e.TrainableTokens), shard.LossMask.Sum(m => m.Sum()));
        Assert.All(shard.Tokens, row => Assert.Equal(maxTokens, row.Length));

        var rejects = Directory.GetFiles(Path.Combine(output, "_dataflow"), "*.jsonl", SearchOption.AllDirectories)
            .Where(f => f.Contains("reject", StringComparison.Ordinal)).SelectMany(File.ReadLines).Count();
        Assert.Equal(lines.Count - kept.Count, rejects);
        Console.WriteLine($"gsm8k: {lines.Count} records, {kept.Count} kept in {shard.Tokens.Count} packed rows of {maxTokens}, {rejects} too long");
    }

    /// <summary>Tokens before the row's padding: a conversation always ends with &lt;|endoftext|&gt;, so padding starts after the last one.</summary>
    private static int RowUsed(int[] row) => Array.LastIndexOf(row, Tokenizer.EndOfTextId) + 1;

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException) yield return x;
    }
}
