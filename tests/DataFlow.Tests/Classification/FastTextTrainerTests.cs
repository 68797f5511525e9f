using System.Globalization;
using System.Text.Json;
using DataFlow.Jobs.Classify;
using DataFlow.Text.Classification;

namespace DataFlow.Tests.Classification;

/// <summary>
/// Our trainer against `fasttext supervised` (Debian's 0.9.2) on the man-page language and /usr/share/doc
/// document-type labels of scripts/make-classifier-fixtures.sh: the same shuffled training file, the same
/// hyper-parameters, one thread each (deterministic); our .bin must load in the fastText CLI and its P@1 there
/// (`fasttext test`) must be within one point of the fastText-trained model's.
/// </summary>
public class FastTextTrainerTests(ClassifierFixture fixture) : IClassFixture<ClassifierFixture>
{
    private const double OnePoint = 0.01;

    public static TheoryData<string, string, string> Settings => new()
    {
        { "lang", "softmax", "-epoch 25 -lr 0.5 -wordNgrams 2 -bucket 100000" },
        { "lang", "ova", "-epoch 25 -lr 0.5 -wordNgrams 2 -bucket 100000" },
        { "lang", "hs", "-epoch 25 -lr 0.5 -wordNgrams 2 -bucket 100000" },
        { "lang", "ns", "-epoch 25 -lr 0.5 -wordNgrams 2 -bucket 100000 -neg 3" },
        { "lang", "softmax", "-epoch 25 -lr 0.5 -minn 2 -maxn 4 -bucket 100000 -dim 20" },
        { "doctype", "softmax", "-epoch 10 -lr 0.3 -wordNgrams 2 -bucket 100000 -minCount 2" },
        { "doctype", "ova", "-epoch 10 -lr 0.3 -dim 30" },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Our_model_loads_in_fasttext_with_accuracy_within_one_point_of_a_fasttext_trained_one(string data, string loss, string options)
    {
        var folder = fixture.NewFolder();
        var train = Shuffled(data, folder);
        var test = fixture.File(data + ".test");
        var reference = Path.Combine(folder, "fasttext");
        FastTextCli.Run(["supervised", "-input", train, "-output", reference, "-thread", "1", "-verbose", "0", "-loss", loss, .. options.Split(' ')]);
        var ours = Path.Combine(folder, "ours.bin");
        ClassifierTraining.Train(new ClassifierTrainingInput(train), ArgsFor(loss, options)).Save(ours);

        var expected = FastTextTest(reference + ".bin", test);
        var actual = FastTextTest(ours, test);
        Assert.Equal(expected.N, actual.N);
        Assert.True(expected.N > 500, $"only {expected.N} test examples");
        Assert.True(Math.Abs(expected.Precision - actual.Precision) <= OnePoint,
            $"{data} {loss} {options}: P@1 of fastText's model {expected.Precision}, of ours {actual.Precision}");
        // Both are real classifiers, not label-frequency guessers.
        Assert.True(actual.Precision > 0.7, $"P@1 {actual.Precision}");
    }

    [Fact]
    public void Dictionary_and_stored_args_equal_fasttexts()
    {
        var folder = fixture.NewFolder();
        var train = Shuffled("lang", folder);
        const string options = "-epoch 1 -dim 10 -minCount 3 -minCountLabel 250 -wordNgrams 3 -minn 2 -maxn 5 -bucket 5000";
        var reference = Path.Combine(folder, "fasttext");
        FastTextCli.Run(["supervised", "-input", train, "-output", reference, "-thread", "1", "-verbose", "0", .. options.Split(' ')]);
        var ours = Path.Combine(folder, "ours.bin");
        ClassifierTraining.Train(new ClassifierTrainingInput(train), ArgsFor("softmax", options)).Save(ours);

        Assert.Equal(FastTextCli.Run("dump", reference + ".bin", "args"), FastTextCli.Run("dump", ours, "args"));
        var expected = FastTextCli.Run("dump", reference + ".bin", "dict").Split('\n');
        var actual = FastTextCli.Run("dump", ours, "dict").Split('\n');
        // The same entries with the same counts and types; ties in count may come in another order (fastText's sort is unstable).
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Select(TypeAndCount), actual.Select(TypeAndCount));
        Assert.Contains(actual, l => l.EndsWith(" label", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_word_ngrams_or_subwords_no_buckets_are_stored_as_fasttext_does()
    {
        var folder = fixture.NewFolder();
        var train = Shuffled("doctype", folder);
        var reference = Path.Combine(folder, "fasttext");
        FastTextCli.Run(["supervised", "-input", train, "-output", reference, "-thread", "1", "-verbose", "0", "-epoch", "1", "-bucket", "1000"]);
        var ours = Path.Combine(folder, "ours.bin");
        ClassifierTraining.Train(new ClassifierTrainingInput(train), ArgsFor("softmax", "-epoch 1 -bucket 1000")).Save(ours);
        Assert.Equal(FastTextCli.Run("dump", reference + ".bin", "args"), FastTextCli.Run("dump", ours, "args"));
        Assert.Contains("bucket 0", FastTextCli.Run("dump", ours, "args"));
        Assert.Equal(new FileInfo(reference + ".bin").Length, new FileInfo(ours).Length);
    }

    [Fact]
    public void Hogwild_on_two_threads_stays_within_one_point_of_fasttext_on_two_threads()
    {
        var folder = fixture.NewFolder();
        var train = Shuffled("lang", folder);
        var test = fixture.File("lang.test");
        const string options = "-epoch 25 -lr 0.5 -wordNgrams 2 -bucket 100000";
        var reference = Path.Combine(folder, "fasttext");
        FastTextCli.Run(["supervised", "-input", train, "-output", reference, "-thread", "2", "-verbose", "0", .. options.Split(' ')]);
        var ours = Path.Combine(folder, "ours.bin");
        ClassifierTraining.Train(new ClassifierTrainingInput(train), ArgsFor("softmax", options) with { Threads = 2 }).Save(ours);
        var expected = FastTextTest(reference + ".bin", test);
        var actual = FastTextTest(ours, test);
        Assert.True(Math.Abs(expected.Precision - actual.Precision) <= OnePoint, $"P@1 of fastText's model {expected.Precision}, of ours {actual.Precision}");
    }

    [Fact]
    public void Cli_trains_from_jsonl_and_its_test_and_predict_print_what_fasttext_prints()
    {
        var folder = fixture.NewFolder();
        var train = Shuffled("lang", folder);
        // The same examples as JSONL: bare labels, text with its own line breaks (a document is one line to fastText).
        var jsonl = Path.Combine(folder, "train.jsonl");
        File.WriteAllLines(jsonl, File.ReadLines(train).Select(line =>
        {
            var space = line.IndexOf(' ');
            var words = line[(space + 1)..].Split(' ');
            var text = string.Join(' ', words.Take(5)) + "\n" + string.Join(' ', words.Skip(5));
            return JsonSerializer.Serialize(new { label = line[..space]["__label__".Length..], text });
        }));
        var model = Path.Combine(folder, "ours.bin");
        var run = CliProcess.Run(folder, "classifier", "train", "--input", jsonl, "--output", model, "--threads", "1",
            "--epoch", "25", "--lr", "0.5", "--word-ngrams", "2", "--bucket", "100000");
        Assert.True(run.ExitCode == 0, run.Stderr);

        var reference = Path.Combine(folder, "fasttext");
        FastTextCli.Run(["supervised", "-input", train, "-output", reference, "-thread", "1", "-verbose", "0", "-epoch", "25", "-lr", "0.5", "-wordNgrams", "2", "-bucket", "100000"]);
        var test = fixture.File("lang.test");
        var fastTextOnOurs = FastTextTest(model, test);
        Assert.True(Math.Abs(FastTextTest(reference + ".bin", test).Precision - fastTextOnOurs.Precision) <= OnePoint);

        var ourTest = CliProcess.Run(folder, "classifier", "test", "--model", model, "--input", test);
        Assert.True(ourTest.ExitCode == 0, ourTest.Stderr);
        Assert.Equal(FastTextCli.Run("test", model, test), ourTest.Stdout);

        var ourPredictions = CliProcess.Run(folder, "classifier", "predict", "--model", model, "--input", test, "-k", "3");
        Assert.True(ourPredictions.ExitCode == 0, ourPredictions.Stderr);
        var expected = FastTextCli.PredictProb(model, test, 3);
        var actual = ourPredictions.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Count, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            var fields = actual[i].Split(' ');
            Assert.Equal(expected[i].Select(p => p.Label), fields.Where((_, j) => j % 2 == 0));
            var probabilities = fields.Where((_, j) => j % 2 == 1).Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToList();
            for (int j = 0; j < probabilities.Count; j++)
                Assert.True(Math.Abs(expected[i][j].Probability - probabilities[j]) <= 1e-4, $"line {i + 1}: {actual[i]}");
        }
    }

    [Fact]
    public void Empty_input_is_a_clear_error_naming_the_file()
    {
        var folder = fixture.NewFolder();
        var empty = Path.Combine(folder, "empty.txt");
        File.WriteAllText(empty, "");
        var run = CliProcess.Run(folder, "classifier", "train", "--input", empty, "--output", Path.Combine(folder, "m.bin"));
        Assert.Equal(3, run.ExitCode);
        Assert.Contains(empty, run.Stderr);
        Assert.Contains("empty", run.Stderr);
        Assert.False(File.Exists(Path.Combine(folder, "m.bin")));
    }

    [Fact]
    public void Text_without_labels_is_a_clear_error()
    {
        var folder = fixture.NewFolder();
        var unlabelled = Path.Combine(folder, "unlabelled.txt");
        File.WriteAllLines(unlabelled, ["just some text", "and more text without any label"]);
        var run = CliProcess.Run(folder, "classifier", "train", "--input", unlabelled, "--output", Path.Combine(folder, "m.bin"));
        Assert.Equal(3, run.ExitCode);
        Assert.Contains(unlabelled, run.Stderr);
        Assert.Contains("no labels", run.Stderr);
    }

    [Theory]
    [InlineData("{\"label\": \"b\", \"text\": \"two\"", "not valid JSON")]
    [InlineData("{\"text\": \"no label here\"}", "no field 'label'")]
    [InlineData("{\"label\": 7, \"text\": \"numeric label\"}", "must be a string or an array of strings")]
    [InlineData("{\"label\": \"two words\", \"text\": \"label with a space\"}", "holds whitespace")]
    [InlineData("{\"label\": \"b\", \"body\": \"no text field\"}", "no string field 'text'")]
    public void A_bad_jsonl_line_is_an_error_naming_file_and_line(string badLine, string reason)
    {
        var folder = fixture.NewFolder();
        var jsonl = Path.Combine(folder, "bad.jsonl");
        File.WriteAllLines(jsonl, ["{\"label\": \"a\", \"text\": \"one\"}", "", badLine, "{\"label\": \"c\", \"text\": \"four\"}"]);
        var run = CliProcess.Run(folder, "classifier", "train", "--input", jsonl, "--output", Path.Combine(folder, "m.bin"));
        Assert.Equal(3, run.ExitCode);
        Assert.Contains($"{jsonl}:3", run.Stderr);
        Assert.Contains(reason, run.Stderr);
    }

    [Fact]
    public void Jsonl_labels_may_be_arrays_and_other_fields_and_train_one_vs_all()
    {
        var folder = fixture.NewFolder();
        var jsonl = Path.Combine(folder, "multi.jsonl");
        File.WriteAllLines(jsonl, Enumerable.Range(0, 200).Select(i => JsonSerializer.Serialize(new
        {
            tags = i % 2 == 0 ? new[] { "even", "small" } : new[] { "odd" },
            body = i % 2 == 0 ? $"alpha beta gamma {i % 7}" : $"delta epsilon zeta {i % 5}",
        })));
        var model = Path.Combine(folder, "m.bin");
        var run = CliProcess.Run(folder, "classifier", "train", "--input", jsonl, "--output", model, "--label-field", "tags",
            "--text-field", "body", "--loss", "ova", "--epoch", "20", "--lr", "0.5", "--threads", "1");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var query = Path.Combine(folder, "query.txt");
        File.WriteAllLines(query, ["alpha beta gamma", "delta epsilon zeta"]);
        var predictions = FastTextCli.PredictProb(model, query, 2);
        Assert.Equal(["__label__even", "__label__small"], predictions[0].Select(p => p.Label).Order());
        Assert.Equal("__label__odd", predictions[1][0].Label);
    }

    private static string TypeAndCount(string dumpLine) => dumpLine.Split(' ') is { Length: 3 } f ? $"{f[2]} {f[1]}" : dumpLine;

    /// <summary>The fixture's training lines in a fixed random order (the script writes them grouped by label).</summary>
    private string Shuffled(string data, string folder)
    {
        var lines = File.ReadAllLines(fixture.File(data + ".train"));
        new Random(20).Shuffle(lines);
        var path = Path.Combine(folder, data + ".train");
        File.WriteAllText(path, string.Join("", lines.Select(l => l + "\n")));
        return path;
    }

    private static (long N, double Precision) FastTextTest(string model, string test)
    {
        var lines = FastTextCli.Run("test", model, test).Split('\n');
        return (long.Parse(lines[0].Split('\t')[1], CultureInfo.InvariantCulture), double.Parse(lines[1].Split('\t')[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Our args for the fastText command-line options the tests use.</summary>
    private static FastTextArgs ArgsFor(string loss, string options)
    {
        var args = new FastTextArgs { Loss = loss switch { "ova" => FastTextLoss.OneVsAll, "hs" => FastTextLoss.HierarchicalSoftmax, "ns" => FastTextLoss.NegativeSampling, _ => FastTextLoss.Softmax }, Threads = 1 };
        var f = options.Split(' ');
        for (int i = 0; i < f.Length; i += 2)
        {
            var v = f[i + 1];
            args = f[i] switch
            {
                "-epoch" => args with { Epoch = int.Parse(v) },
                "-lr" => args with { LearningRate = double.Parse(v, CultureInfo.InvariantCulture) },
                "-wordNgrams" => args with { WordNgrams = int.Parse(v) },
                "-bucket" => args with { Bucket = int.Parse(v) },
                "-dim" => args with { Dim = int.Parse(v) },
                "-minn" => args with { MinN = int.Parse(v) },
                "-maxn" => args with { MaxN = int.Parse(v) },
                "-minCount" => args with { MinCount = int.Parse(v) },
                "-minCountLabel" => args with { MinCountLabel = int.Parse(v) },
                "-neg" => args with { Negatives = int.Parse(v) },
                _ => throw new ArgumentException($"option {f[i]} is not mapped"),
            };
        }
        return args;
    }
}
