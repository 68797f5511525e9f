using DataFlow.Text.Classification;

namespace DataFlow.Tests.Classification;

/// <summary>.bin / .ftz files: what we write is what fastText wrote (byte for byte) and what its CLI loads; bad files fail with the file named.</summary>
[Collection(ClassifierCollection.Name)]
public class FastTextModelFileTests(ClassifierFixture fixture)
{
    private (string Bin, string Ftz) TrainAndQuantize()
    {
        var prefix = Path.Combine(fixture.NewFolder(), "model");
        FastTextCli.Run("supervised", "-input", fixture.File("doctype.train"), "-output", prefix, "-dim", "12", "-epoch", "3", "-wordNgrams", "2",
            "-minn", "3", "-maxn", "4", "-bucket", "20000", "-thread", "2", "-verbose", "0");
        FastTextCli.Run("quantize", "-input", fixture.File("doctype.train"), "-output", prefix, "-qnorm", "-cutoff", "2000", "-verbose", "0");
        return (prefix + ".bin", prefix + ".ftz");
    }

    [Fact]
    public void Saving_a_loaded_model_writes_the_bytes_fasttext_wrote()
    {
        var (bin, ftz) = TrainAndQuantize();
        foreach (var path in new[] { bin, ftz })
        {
            var copy = path + ".ours";
            FastTextModel.Load(path).Save(copy);
            Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(copy));
        }
    }

    [Fact]
    public void A_model_built_from_its_parts_saves_a_file_the_fasttext_cli_predicts_with()
    {
        var (bin, _) = TrainAndQuantize();
        var loaded = FastTextModel.Load(bin);
        // As a trainer builds one: args, a dictionary from entries and counts, two dense matrices.
        var args = loaded.Args with { };
        var dictionary = new FastTextDictionary(args, loaded.Dictionary.Entries, loaded.Dictionary.TokenCount);
        var input = (DenseMatrix)loaded.Input;
        var output = (DenseMatrix)loaded.Output;
        var built = new FastTextModel(args, dictionary, new DenseMatrix(input.Rows, input.Cols, input.Data.ToArray()), new DenseMatrix(output.Rows, output.Cols, output.Data.ToArray()));
        var path = Path.Combine(Path.GetDirectoryName(bin)!, "built.bin");
        built.Save(path);

        var test = fixture.File("doctype.test");
        var cli = FastTextCli.PredictProb(path, test, 2);
        var lines = File.ReadAllLines(test);
        Assert.Equal(lines.Length, cli.Count);
        for (var i = 0; i < lines.Length; i++)
        {
            var ours = built.Predict(lines[i], 2);
            Assert.Equal(cli[i].Select(p => p.Label), ours.Select(p => p.Label));
            for (var j = 0; j < ours.Count; j++) Assert.True(Math.Abs(cli[i][j].Probability - ours[j].Probability) <= 1e-4, $"line {i + 1}");
        }
    }

    [Fact]
    public void A_file_that_is_not_a_fasttext_model_is_refused_with_its_name()
    {
        var path = Path.Combine(fixture.NewFolder(), "notes.bin");
        File.WriteAllText(path, "this is a text file, not a model");
        var e = Assert.Throws<InvalidDataException>(() => FastTextModel.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not a fastText model", e.Message);
    }

    [Fact]
    public void An_unknown_format_version_is_refused_with_the_version()
    {
        var (bin, _) = TrainAndQuantize();
        var bytes = File.ReadAllBytes(bin);
        BitConverter.GetBytes(13).CopyTo(bytes, 4);
        var path = bin + ".v13";
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => FastTextModel.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("version 13", e.Message);
    }

    [Fact]
    public void A_truncated_file_is_refused_with_its_name_and_the_part_that_ends()
    {
        var (bin, ftz) = TrainAndQuantize();
        foreach (var model in new[] { bin, ftz })
        {
            var bytes = File.ReadAllBytes(model);
            // Cuts inside the header, the args, the dictionary, the input matrix and the output matrix, and the last byte.
            var cuts = new[] { 6, 40, 200, bytes.Length / 2, bytes.Length - 300, bytes.Length - 1 };
            var parts = new HashSet<string>();
            foreach (var cut in cuts)
            {
                var path = $"{model}.cut{cut}";
                File.WriteAllBytes(path, bytes[..cut]);
                var e = Assert.Throws<InvalidDataException>(() => FastTextModel.Load(path));
                Assert.Contains(path, e.Message);
                Assert.Contains("truncated", e.Message);
                parts.Add(e.Message[(e.Message.IndexOf("inside the ", StringComparison.Ordinal) + 11)..]);
            }
            Assert.Contains("header", parts);
            Assert.Contains("dictionary", parts);
            Assert.Contains("output matrix", parts);
        }
    }
}
