using System.Text;
using DataFlow.Text.Classification;

namespace DataFlow.Tests.Classification;

/// <summary>
/// Models trained and quantized by Debian's fastText CLI on man-page languages and /usr/share/doc document types;
/// our prediction of every test line must equal `fasttext predict-prob`: the same labels in the same order, each
/// probability within 1e-4 (the CLI prints six significant digits).
/// </summary>
[Collection(ClassifierCollection.Name)]
public class FastTextPredictionTests(ClassifierFixture fixture)
{
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData("lang", "-loss softmax -dim 16 -epoch 15 -lr 0.5", "", 3, 0f)]
    [InlineData("lang", "-loss softmax -dim 20 -epoch 15 -lr 0.5 -wordNgrams 2 -minn 2 -maxn 5 -bucket 200000", "", FastTextModel.AllLabels, 0f)]
    [InlineData("lang", "-loss hs -dim 16 -epoch 15 -lr 0.5 -wordNgrams 2 -minn 3 -maxn 5 -bucket 100000", "", 5, 0f)]
    [InlineData("lang", "-loss hs -dim 16 -epoch 10 -lr 0.5 -minn 2 -maxn 4 -bucket 100000", "", FastTextModel.AllLabels, 0.01f)]
    [InlineData("lang", "-loss ova -dim 16 -epoch 15 -lr 0.5 -wordNgrams 2 -bucket 100000", "", FastTextModel.AllLabels, 0f)]
    [InlineData("lang", "-loss ova -dim 16 -epoch 15 -lr 0.5 -minn 3 -maxn 3 -bucket 50000", "", 4, 0.2f)]
    [InlineData("doctype", "-loss softmax -dim 24 -epoch 5 -lr 0.3 -wordNgrams 2 -bucket 100000", "", 2, 0f)]
    [InlineData("doctype", "-loss ns -dim 16 -epoch 5 -lr 0.3 -neg 2", "", 3, 0f)]
    [InlineData("lang", "-loss softmax -dim 16 -epoch 15 -lr 0.5 -minn 2 -maxn 4 -bucket 50000", "-dsub 2", 3, 0f)]
    [InlineData("lang", "-loss hs -dim 18 -epoch 15 -lr 0.5 -wordNgrams 2 -minn 3 -maxn 4 -bucket 50000", "-qnorm -dsub 4", 3, 0f)]
    [InlineData("lang", "-loss ova -dim 16 -epoch 15 -lr 0.5 -wordNgrams 2 -minn 3 -maxn 4 -bucket 50000", "-qnorm -cutoff 4000 -retrain -epoch 1", FastTextModel.AllLabels, 0f)]
    [InlineData("doctype", "-loss softmax -dim 16 -epoch 5 -lr 0.3 -wordNgrams 2 -bucket 50000", "-cutoff 3000", 2, 0f)]
    public void Predictions_equal_fasttext_predict_prob_on_every_test_line(string data, string train, string quantize, int k, float threshold)
    {
        var folder = fixture.NewFolder();
        var prefix = Path.Combine(folder, "model");
        FastTextCli.Run(["supervised", "-input", fixture.File(data + ".train"), "-output", prefix, "-thread", "2", "-verbose", "0", .. Split(train)]);
        var path = prefix + ".bin";
        if (quantize != "")
        {
            FastTextCli.Run(["quantize", "-input", fixture.File(data + ".train"), "-output", prefix, "-verbose", "0", .. Split(quantize)]);
            path = prefix + ".ftz";
        }
        var test = fixture.File(data + ".test");
        var expected = FastTextCli.PredictProb(path, test, k, threshold == 0f ? null : threshold);
        var model = FastTextModel.Load(path);
        Assert.Equal(quantize != "", model.IsQuantized);

        var lines = SplitLines(File.ReadAllBytes(test));
        Assert.Equal(lines.Count, expected.Count);
        var buffer = new FastTextPrediction[k == FastTextModel.AllLabels ? model.Labels.Count : k];
        var correct = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            // Both entry points: UTF-8 bytes into a buffer (k = its length) and a string (k = all labels).
            var ours = k == FastTextModel.AllLabels
                ? model.Predict(Encoding.UTF8.GetString(lines[i]), k, threshold).ToArray()
                : buffer.AsSpan(0, model.Predict(lines[i], buffer, threshold)).ToArray();
            var cli = expected[i];
            Assert.True(cli.Select(p => p.Label).SequenceEqual(ours.Select(p => p.Label)),
                $"line {i + 1}: fastText [{string.Join(", ", cli)}], ours [{string.Join(", ", ours.Select(p => (p.Label, p.Probability)))}]");
            for (var j = 0; j < cli.Count; j++)
                Assert.True(Math.Abs(cli[j].Probability - ours[j].Probability) <= Tolerance, $"line {i + 1}, {cli[j].Label}: fastText {cli[j].Probability}, ours {ours[j].Probability}");
            if (ours.Length > 0 && Encoding.UTF8.GetString(lines[i]).StartsWith(ours[0].Label + " ", StringComparison.Ordinal)) correct++;
        }
        // Not a vacuous comparison: the models really classify.
        Assert.True(correct > lines.Count / 2, $"top-1 accuracy {correct} / {lines.Count}");
    }

    [Fact]
    public void Label_names_drop_the_prefix_and_the_sentence_vector_is_the_mean_of_input_rows()
    {
        var prefix = Path.Combine(fixture.NewFolder(), "model");
        FastTextCli.Run("supervised", "-input", fixture.File("lang.train"), "-output", prefix, "-dim", "8", "-epoch", "1", "-thread", "2", "-verbose", "0");
        var model = FastTextModel.Load(prefix + ".bin");
        Assert.Equal(model.Labels.Select(l => l["__label__".Length..]), model.LabelNames);
        var p = model.Predict("Die Datei wird gelesen und in die Standardausgabe geschrieben")[0];
        Assert.Equal("__label__" + p.Name, p.Label);

        // Hand computation: the words "the", "file" and "</s>" are in the vocabulary (no subwords, no n-grams here).
        var dict = model.Dictionary;
        var ids = new[] { dict.GetId("the"), dict.GetId("file"), dict.GetId(FastTextDictionary.EndOfSentence) };
        Assert.DoesNotContain(-1, ids);
        var input = (DenseMatrix)model.Input;
        var expected = new float[8];
        foreach (var id in ids) for (var j = 0; j < 8; j++) expected[j] += input.Row(id)[j];
        var vector = model.SentenceVector("the\n file");
        for (var j = 0; j < 8; j++) Assert.Equal(expected[j] * (float)(1.0 / 3), vector[j]);
    }

    [Fact]
    public void Predictions_from_many_threads_equal_the_ones_from_one()
    {
        var prefix = Path.Combine(fixture.NewFolder(), "model");
        FastTextCli.Run("supervised", "-input", fixture.File("lang.train"), "-output", prefix, "-dim", "16", "-epoch", "2", "-minn", "2", "-maxn", "4",
            "-wordNgrams", "2", "-bucket", "50000", "-thread", "2", "-verbose", "0");
        var model = FastTextModel.Load(prefix + ".bin");
        var lines = File.ReadAllLines(fixture.File("lang.test"));
        var sequential = lines.Select(l => model.Predict(l, 3)).ToArray();
        var parallel = new IReadOnlyList<FastTextPrediction>[lines.Length];
        Parallel.For(0, lines.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => parallel[i] = model.Predict(lines[i], 3));
        for (var i = 0; i < lines.Length; i++) Assert.Equal(sequential[i], parallel[i]);
    }

    [Theory]
    // Published FNV-1a 32-bit test vectors (ASCII bytes, where the sign extension fastText applies changes nothing).
    [InlineData("", 0x811c9dc5u)]
    [InlineData("a", 0xe40c292cu)]
    [InlineData("foobar", 0xbf9cf968u)]
    public void The_hash_is_fnv1a_over_the_bytes(string text, uint expected) =>
        Assert.Equal(expected, FastTextDictionary.Hash(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Bytes_above_127_are_hashed_as_signed_chars()
    {
        // By hand: fastText xors uint32(int8(0xC3)) = 0xFFFFFFC3, not 0xC3, for the first byte of "é" (C3 A9).
        uint h = 0x811c9dc5;
        h = (h ^ 0xFFFFFFC3u) * 16777619u;
        h = (h ^ 0xFFFFFFA9u) * 16777619u;
        Assert.Equal(h, FastTextDictionary.Hash("é"u8));
    }

    private static string[] Split(string flags) => flags.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static List<byte[]> SplitLines(byte[] bytes)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != '\n') continue;
            lines.Add(bytes[start..i]);
            start = i + 1;
        }
        return lines;
    }
}
