using System.Diagnostics;
using DataFlow.Engine.Config;
using DataFlow.Engine.Tokens;
using DataFlow.Jobs.Training.Pretrain;
using DataFlow.Trainer.Checkpoints;
using DataFlow.Trainer.Generation;
using DataFlow.Trainer.Training;
using DataFlow.Text.Tokenization;

namespace DataFlow.Trainer.Tests;

/// <summary>Pretraining end to end on real token shards (written with Tokenize's writer), through the YAML settings and the CLI.</summary>
public sealed class PretrainJobTests
{
    private const int SeqLen = 16;

    /// <summary>A character-level dataset of a repetitive text, in the token-shard format.</summary>
    private static string WriteDataset(string dir, int seqLen = SeqLen)
    {
        var text = string.Concat(Enumerable.Range(0, 400).Select(i => $"the cat sat on mat {i % 7}. "));
        var tokenizer = CharacterTokenizer.Train([text]);
        var tokenizerPath = Path.Combine(dir, "tokenizer.json");
        File.WriteAllText(tokenizerPath, tokenizer.ToJson());
        var ids = new List<int>();
        tokenizer.Encode(text, ids);
        var rows = InMemoryRows(ids, seqLen);
        var shards = new List<TokenShardInfo>();
        foreach (var (file, split, part) in new[] { ("train-00000.parquet", TokenSplit.Train, rows[..^8]), ("validation-00000.parquet", TokenSplit.Validation, rows[^8..]) })
        {
            using var writer = new TokenShardWriter(Path.Combine(dir, file), seqLen);
            foreach (var row in part) writer.WriteRow(row);
            shards.Add(writer.Complete(file, split));
        }
        new TokenDatasetManifest { Tokenizer = tokenizerPath, VocabSize = tokenizer.VocabSize, SeqLen = seqLen, EosId = tokenizer.EndOfTextId, Shards = shards }.Save(dir);
        return dir;
    }

    private static int[][] InMemoryRows(List<int> ids, int seqLen) => Data.InMemoryTokenBatches.Chunk(ids.ToArray(), seqLen);

    private static string Yaml(string data, string output, int steps, int checkpointEvery = 5) => $"""
        data: {data}
        output: {output}
        model:
          dim: 32
          layers: 2
          heads: 4
          kv_heads: 2
        training:
          batch_size: 4
          max_steps: {steps}
          warmup_steps: 3
          learning_rate: 3.0e-3
          eval_every: 5
          eval_batches: 2
          checkpoint_every: {checkpointEvery}
          keep_last: 10
          log_every: 5
          threads: 1
        """;

    private static PretrainSettings Settings(string yaml) => PretrainSettings.Read(ConfigSection.Parse(yaml, "test.yaml"), "/");

    [Fact]
    public void Pretrains_on_token_shards_resumes_exactly_and_generates_text()
    {
        var data = WriteDataset(TinyModels.TempDir("data"));
        var straight = PretrainRun.Execute(Settings(Yaml(data, TinyModels.TempDir("straight"), 12)), false, TextWriter.Null);

        var output = TinyModels.TempDir("resumed");
        PretrainRun.Execute(Settings(Yaml(data, output, 12) .Replace("max_steps: 12", "max_steps: 5")), false, TextWriter.Null);
        // max_steps only bounds the loop; the schedule's decay end is fixed so both runs share it.
        var resumed = PretrainRun.Execute(Settings(Yaml(data, output, 12)), true, TextWriter.Null);
        Assert.Equal(5, resumed.FirstStep);
        Assert.True(straight.Losses[^1] < straight.Losses[0] - 0.5, $"{straight.Losses[0]} -> {straight.Losses[^1]}");

        var texts = GenerateRun.Execute(output, ["the cat", "sat"], new GenerationOptions { Temperature = 0, MaxNewTokens = 5 });
        Assert.Equal(2, texts.Count);
        Assert.All(texts, t => Assert.InRange(t.Length, 1, 5));
    }

    [Fact]
    public void Resume_on_shards_with_another_sequence_length_fails_naming_both()
    {
        var output = TinyModels.TempDir("seq");
        PretrainRun.Execute(Settings(Yaml(WriteDataset(TinyModels.TempDir("data16")), output, 5)), false, TextWriter.Null);
        var other = WriteDataset(TinyModels.TempDir("data12"), seqLen: 12);
        var e = Assert.Throws<InvalidDataException>(() => PretrainRun.Execute(Settings(Yaml(other, output, 10)), true, TextWriter.Null));
        Assert.Contains("16", e.Message);
        Assert.Contains("seq_len 12", e.Message);
    }

    [Fact]
    public void Shards_with_token_ids_beyond_the_vocabulary_fail_naming_the_row()
    {
        var dir = WriteDataset(TinyModels.TempDir("badvocab"));
        var manifest = TokenDatasetManifest.Load(dir);
        (manifest with { VocabSize = 5 }).Save(dir);
        var e = Assert.Throws<InvalidDataException>(() => PretrainRun.Execute(Settings(Yaml(dir, TinyModels.TempDir("out"), 3)), false, TextWriter.Null));
        Assert.Contains("outside the model's vocabulary of 5", e.Message);
        Assert.Contains("train row", e.Message);
    }

    [Fact]
    public void Unknown_yaml_keys_are_rejected_with_file_and_key()
    {
        var e = Assert.Throws<ConfigException>(() => Settings(Yaml("/d", "/o", 3).Replace("kv_heads: 2", "kv_heads: 2\n  dropout: 0.1")));
        Assert.Contains("dropout", e.Message);
        Assert.Contains("test.yaml", e.Message);
    }

    [Fact]
    public void Killing_the_cli_at_random_moments_never_leaves_a_checkpoint_that_does_not_load()
    {
        var data = WriteDataset(TinyModels.TempDir("killdata"));
        var output = TinyModels.TempDir("kill");
        var config = Path.Combine(output, "train.yaml");
        File.WriteAllText(config, Yaml(data, Path.Combine(output, "run"), 400, checkpointEvery: 1));
        var cli = Path.Combine(AppContext.BaseDirectory, "dataflow.dll");
        var random = new Random(5);
        for (var attempt = 0; attempt < 4; attempt++)
        {
            using var process = Process.Start(new ProcessStartInfo("dotnet", [cli, "train", "pretrain", "--config", config, "--resume"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            })!;
            var store = new CheckpointStore(Path.Combine(output, "run", CheckpointStore.FolderName));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            var before = store.List().Count;
            while (store.List().Count < before + 2 && DateTime.UtcNow < deadline && !process.HasExited) Thread.Sleep(20);
            Thread.Sleep(random.Next(0, 150)); // somewhere inside the next steps' checkpoint writes
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            foreach (var (_, path) in store.List())
            {
                var (model, state) = TrainingCheckpoint.LoadModel(path); // verifies every checksum
                Assert.True(File.Exists(Path.Combine(path, TrainingCheckpoint.OptimizerFile)));
                model.Dispose();
            }
        }
        var final = new CheckpointStore(Path.Combine(output, "run", CheckpointStore.FolderName)).List();
        Assert.True(final.Count >= 2, "the killed runs made progress across restarts");
    }
}
