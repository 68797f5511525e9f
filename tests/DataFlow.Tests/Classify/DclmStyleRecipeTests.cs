using System.IO.Compression;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Tests.Classification;

namespace DataFlow.Tests.Classify;

/// <summary>conf/quality/dclm-style.yaml end to end on the committed sample, as a fresh clone runs it.</summary>
public sealed class DclmStyleRecipeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_recipe_trains_a_classifier_fasttext_loads_and_keeps_the_top_fraction_of_the_sample()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "DataFlow.sln"))) root = Path.GetDirectoryName(root)!;
        var runDir = _dir.File("run");
        var result = CliProcess.Run(root, "run", "conf/quality/dclm-style.yaml", "--run-dir", runDir);
        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        var run = new RunFolder(runDir);

        // classifier_train: as many random negatives as positives (the State of the Union file), never a positive's text.
        var positives = CountLines(Path.Combine(root, "data", "sample", "sotu.jsonl.gz"));
        var train = TaskStats.Load(run.StageStatsFile("quality_classifier"));
        Assert.Equal(positives, train.Counter("train.positives"));
        Assert.Equal(positives, train.Counter("train.negatives"));
        var outDir = Path.Combine(run.StageDir("quality_classifier"), "out");
        var lines = File.ReadAllLines(Path.Combine(outDir, "train.txt"));
        Assert.Equal(2 * positives - train.Counter("validation.examples"), lines.Length);
        var hq = lines.Where(l => l.StartsWith("__label__hq ", StringComparison.Ordinal)).Select(l => l[12..]).ToHashSet();
        Assert.DoesNotContain(lines.Where(l => l.StartsWith("__label__cc ", StringComparison.Ordinal)), l => hq.Contains(l[12..]));

        // fastText itself loads the model we trained and separates the training set.
        var test = FastTextCli.Run("test", Path.Combine(outDir, "model.bin"), Path.Combine(outDir, "train.txt"));
        var precision = double.Parse(test.Split('\n').Single(l => l.StartsWith("P@1", StringComparison.Ordinal)).Split('\t')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(precision >= 0.9, test);

        // classify keeps round(0.3 N) documents; the positives' own file scores highest.
        var corpus = TaskStats.Load(run.StageStatsFile("ingest")).Counter("docs_out");
        var kept = ReadAll(Path.Combine(run.StageDir("classify"), "out"));
        Assert.Equal((long)Math.Round(0.3 * corpus, MidpointRounding.AwayFromZero), kept.Count);
        Assert.Equal(positives, kept.Count(d => d.Source == "sotu.jsonl.gz"));
        var removed = ReadAll(Path.Combine(run.StageDir("classify"), "out", "removed"));
        Assert.Equal(corpus, kept.Count + removed.Count);
        Assert.All(removed, d => Assert.StartsWith("classifier:hq", (string?)d["reason"]));
        Assert.True(File.Exists(Path.Combine(runDir, "report", "index.html")));
    }

    [Fact]
    public void Classifier_train_config_errors_name_the_key()
    {
        File.WriteAllText(_dir.File("good.jsonl"), "{\"id\": \"a\", \"text\": \"t\"}\n");
        string Error(string keys) => Assert.Throws<DataFlow.Engine.Config.ConfigException>(() => DataFlow.Engine.Config.PipelineLoader.Load($"""
            stages:
              - type: classifier_train
            {keys}
            """, "p.yaml", DataFlow.Jobs.StandardStages.Create(), _dir.Path)).Message;
        Assert.Contains("missing required key 'stages[0].positive'", Error("    epoch: 3"));
        Assert.Contains("stages[0].negative_label'", Error("    positive: good.jsonl\n    negative_label: hq"));
        Assert.Contains("'hinge' is not one of softmax, ns, hs, ova", Error("    positive: good.jsonl\n    loss: hinge"));
        Assert.Contains("stages[0].epoch'", Error("    positive: good.jsonl\n    epoch: 0"));
        Assert.Contains("missing.jsonl", Error("    positive: missing.jsonl"));
    }

    private static long CountLines(string gz)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(gz), CompressionMode.Decompress));
        long n = 0;
        while (reader.ReadLine() is { Length: > 0 }) n++;
        return n;
    }

    private static List<Document> ReadAll(string dir) =>
        Directory.GetFiles(dir, "part-*.parquet").SelectMany(f => DocumentSources.Read(f, ReadOptions.Default, new CollectingRejects())).ToList();
}
