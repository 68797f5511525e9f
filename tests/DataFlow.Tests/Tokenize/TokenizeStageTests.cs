using System.Text.Json;
using DataFlow.Engine.Execution;
using DataFlow.Engine.Tokens;
using DataFlow.Jobs;
using DataFlow.Text.Tokenization;

namespace DataFlow.Tests.Tokenize;

public sealed class TokenizeStageTests
{
    private static readonly string[] Texts =
    [
        "First document. It is short.",
        "Second one, with 中文 and emoji 👍.",
        "Third: the quick brown fox jumps over the lazy dog again and again and again.",
        "Fourth\n\nhas  whitespace   runs.",
        "Fifth document closes the corpus with a slightly longer sentence than the others.",
    ];

    private static void WriteCorpus(string path, int copies)
    {
        using var writer = new StreamWriter(path);
        for (var c = 0; c < copies; c++)
            for (var i = 0; i < Texts.Length; i++)
                writer.WriteLine(JsonSerializer.Serialize(new { id = $"doc-{c}-{i}", text = $"{c}: {Texts[i]}" }));
    }

    private static TokenDatasetManifest RunTokenize(TempDir dir, string tokenizer, string extraKeys, string outName = "tokens")
    {
        var yaml = $"""
            workers: 2
            stages:
              - type: tokenize
                input: {dir.File("corpus.jsonl")}
                output: {dir.File(outName)}
                tokenizer: {tokenizer}
            {extraKeys}
            """;
        var pipelineFile = dir.File(outName + ".yaml");
        File.WriteAllText(pipelineFile, yaml);
        var session = RunSession.Create(pipelineFile, dir.File(outName + "-run"));
        new LocalExecutor(2).Run(session.Run, session.Pipeline, CancellationToken.None);
        return TokenDatasetManifest.Load(dir.File(outName));
    }

    [Fact]
    public void RowsAreExactlyTheShuffledChunksOfTheDocumentStream()
    {
        using var dir = new TempDir();
        WriteCorpus(dir.File("corpus.jsonl"), copies: 40);
        var charTokenizer = CharacterTokenizer.Train(Texts.Append("0123456789: "));
        File.WriteAllText(dir.File("char.json"), charTokenizer.ToJson());

        // One encode task, so the token stream is the documents in file order, each followed by end-of-text.
        var manifest = RunTokenize(dir, dir.File("char.json"), "    seq_len: 16\n    tasks: 1\n    shuffle_tasks: 3\n    validation_fraction: 0\n");
        Assert.Equal(16, manifest.SeqLen);
        Assert.Equal(charTokenizer.VocabSize, manifest.VocabSize);
        Assert.Equal(charTokenizer.EndOfTextId, manifest.EosId);
        Assert.Equal(3, manifest.ShardsOf(TokenSplit.Train).Count());

        var stream = new List<int>();
        for (var c = 0; c < 40; c++)
            foreach (var text in Texts)
            {
                charTokenizer.Encode($"{c}: {text}", stream);
                stream.Add(charTokenizer.EndOfTextId);
            }
        var expectedRows = stream.Count / 17;
        Assert.Equal(expectedRows, manifest.RowsOf(TokenSplit.Train));
        Assert.Equal(stream.Count, manifest.SourceTokens.Sum(s => s.Tokens));
        Assert.Equal(200, manifest.SourceTokens.Sum(s => s.Documents));

        using var train = TokenShardDataset.Open(dir.File("tokens"), TokenSplit.Train);
        var chunks = Enumerable.Range(0, expectedRows).Select(r => string.Join(",", stream.Skip(r * 17).Take(17))).ToList();
        var seen = new List<string>();
        var row = new int[17];
        for (long r = 0; r < train.RowCount; r++)
        {
            train.ReadRow(r, row);
            seen.Add(string.Join(",", row));
        }
        Assert.Equal(chunks.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.NotEqual(chunks, seen); // shuffled
    }

    [Fact]
    public void SameSeedSameShardsOtherSeedOtherOrderAndValidationIsByDocument()
    {
        using var dir = new TempDir();
        WriteCorpus(dir.File("corpus.jsonl"), copies: 60);
        var keys = "    seq_len: 32\n    tasks: 2\n    validation_fraction: 0.2\n";
        var a = RunTokenize(dir, "gpt2", keys + "    seed: 7\n", "a");
        var b = RunTokenize(dir, "gpt2", keys + "    seed: 7\n", "b");
        var c = RunTokenize(dir, "gpt2", keys + "    seed: 8\n", "c");

        Assert.Equal(50257, a.VocabSize);
        Assert.Equal(50256, a.EosId);
        foreach (var shard in a.Shards)
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("a"), shard.File)), File.ReadAllBytes(Path.Combine(dir.File("b"), shard.File)));
        Assert.Equal(a.RowsOf(TokenSplit.Train), c.RowsOf(TokenSplit.Train));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(dir.File("a"), a.Shards[0].File)), File.ReadAllBytes(Path.Combine(dir.File("c"), c.Shards[0].File)));

        var validationDocs = a.SourceTokens.Where(s => s.Split == TokenSplit.Validation).Sum(s => s.Documents);
        Assert.InRange(validationDocs, 30, 90); // ~20% of 300 documents
        Assert.True(a.RowsOf(TokenSplit.Validation) > 0);
        var expectedValidation = Enumerable.Range(0, 60).SelectMany(copy => Enumerable.Range(0, Texts.Length).Select(i => $"doc-{copy}-{i}"))
            .Count(id => Jobs.Tokenize.TokenizeEncodeJob.IsValidation(id, 0.2));
        Assert.Equal(expectedValidation, validationDocs);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public void DocumentsCannotInjectEndOfTextUnlessAllowed(bool allow, int endOfTextPerDocument)
    {
        using var dir = new TempDir();
        using (var writer = new StreamWriter(dir.File("corpus.jsonl")))
            for (var i = 0; i < 50; i++)
                writer.WriteLine(JsonSerializer.Serialize(new { id = $"d{i}", text = $"doc {i} quotes <|endoftext|> here" }));
        var keys = $"    seq_len: 7\n    tasks: 1\n    shuffle_tasks: 1\n    validation_fraction: 0\n    allow_special_tokens: {allow.ToString().ToLowerInvariant()}\n";
        var manifest = RunTokenize(dir, "gpt2", keys);
        using var train = TokenShardDataset.Open(dir.File("tokens"));
        var row = new int[8];
        var endOfText = 0;
        for (long r = 0; r < train.RowCount; r++)
        {
            train.ReadRow(r, row);
            endOfText += row.Count(id => id == 50256);
        }
        // Rows cover the whole stream but a tail of under 8 tokens, which holds at most the last document's end-of-text ids.
        Assert.InRange(endOfText, 50 * endOfTextPerDocument - endOfTextPerDocument, 50 * endOfTextPerDocument);
        Assert.Equal(manifest.SourceTokens.Sum(s => s.Tokens) / 8, train.RowCount);
    }

    [Fact]
    public void UnknownTokenizerIsAConfigErrorNamingTheKnownOnes()
    {
        using var dir = new TempDir();
        WriteCorpus(dir.File("corpus.jsonl"), copies: 1);
        var error = Assert.ThrowsAny<Exception>(() => RunTokenize(dir, "gpt9", ""));
        Assert.Contains("cl100k_base", error.Message);
        var missingFile = Assert.Throws<DataFlow.Engine.Config.ConfigException>(() => RunTokenize(dir, "no/such/tokenizer.json", "", "b"));
        Assert.Contains("tokenizer", missingFile.Message);
    }

    [Fact]
    public void TokenizerTrainedByAnEarlierStageIsUsedByName()
    {
        using var dir = new TempDir();
        WriteCorpus(dir.File("corpus.jsonl"), copies: 30);
        var yaml = $"""
            workers: 2
            stages:
              - type: ingest
                input: {dir.File("corpus.jsonl")}
                tasks: 1
              - type: tokenizer_train
                name: bpe
                vocab_size: 320
              - type: tokenize
                output: {dir.File("tokens")}
                tokenizer: bpe
                seq_len: 24
                tasks: 2
            """;
        File.WriteAllText(dir.File("p.yaml"), yaml);
        var session = RunSession.Create(dir.File("p.yaml"), dir.File("run"));
        new LocalExecutor(2).Run(session.Run, session.Pipeline, CancellationToken.None);

        var manifest = TokenDatasetManifest.Load(dir.File("tokens"));
        Assert.EndsWith("tokenizer.json", manifest.Tokenizer);
        Assert.Equal(320, manifest.VocabSize);
        var tokenizer = TokenizerFiles.FromJson(File.ReadAllText(manifest.Tokenizer), manifest.Tokenizer);
        Assert.Equal(tokenizer.EndOfTextId, manifest.EosId);
        Assert.Equal(tokenizer.PadId, manifest.PadId);

        using var train = TokenShardDataset.Open(dir.File("tokens"));
        var row = new int[25];
        train.ReadRow(0, row);
        Assert.All(row, id => Assert.InRange(id, 0, 319));
        Assert.True(manifest.SourceTokens.Sum(s => s.Tokens) > train.TokenCount);
        Assert.Equal(150, manifest.SourceTokens.Sum(s => s.Documents)); // read the ingested shards, not tokenizer.json
    }
}
