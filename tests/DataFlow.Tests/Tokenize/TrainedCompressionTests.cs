using System.Text;
using DataFlow.Engine.Documents;
using DataFlow.Text.Tokenization;

namespace DataFlow.Tests.Tokenize;

/// <summary>The bar: a tokenizer trained on the sample corpus with 8k ids compresses it at least as well as gpt2 (50k ids).</summary>
public sealed class TrainedCompressionTests
{
    [Fact]
    public void Trained8kCompressesTheSampleCorpusAtLeastAsWellAsGpt2()
    {
        var sampleDir = FindSampleCorpus();
        // 400 kB from each file keeps the test to seconds while covering English, Chinese, code-like text and email.
        var texts = Directory.GetFiles(sampleDir, "*.jsonl.gz").Order(StringComparer.Ordinal)
            .SelectMany(file => Take(DocumentSources.Read(file, new ReadOptions { KeepMetadata = false }, new CollectingRejects()), 400_000))
            .ToList();
        var bytes = texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t));

        var trainer = new ByteLevelBpeTrainer(new BpeTrainerOptions { VocabSize = 8192 });
        foreach (var text in texts) trainer.AddText(text);
        var trained = trainer.Train().CreateTokenizer("sample-8k");
        var gpt2 = KnownTokenizers.Load(KnownTokenizers.Gpt2);

        double BytesPerToken(ITextTokenizer tokenizer)
        {
            var ids = new List<int>();
            foreach (var text in texts) tokenizer.Encode(text, ids);
            return bytes / (double)ids.Count;
        }
        var trainedRatio = BytesPerToken(trained);
        var gpt2Ratio = BytesPerToken(gpt2);
        Assert.True(trainedRatio >= gpt2Ratio, $"trained 8k: {trainedRatio:F3} bytes/token, gpt2: {gpt2Ratio:F3}");
        foreach (var text in texts.Take(20)) KnownTokenizerTests.AssertRoundTrip(trained, text);
    }

    private static IEnumerable<string> Take(IEnumerable<Document> documents, long maxBytes)
    {
        long bytes = 0;
        foreach (var doc in documents)
        {
            if (bytes >= maxBytes) yield break;
            bytes += Encoding.UTF8.GetByteCount(doc.Text);
            yield return doc.Text;
        }
    }

    private static string FindSampleCorpus()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "sample");
            if (File.Exists(Path.Combine(dir.FullName, "DataFlow.sln")) && Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("data/sample not found above " + AppContext.BaseDirectory);
    }
}
