using System.Text.Json;
using DataFlow.Trainer.Interop;
using DataFlow.Trainer.Sft;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>
/// Our transformer against an independent forward pass over the exported Hugging Face folder: tests/reference/hf_llama_forward.py
/// (numpy, float64, modeling_llama.py's definitions, safetensors parsed by hand).
/// </summary>
public class HfReferenceForwardTests
{
    [NumpyReferenceFact]
    public void Exported_folder_gives_our_logits_in_a_numpy_llama_forward()
    {
        Assert.True(NumpyReferenceFactAttribute.Available.Value, $"{NumpyReferenceFactAttribute.Python} with numpy is required (DATAFLOW_REQUIRE_PYTHON=1) but missing");
        var script = Path.Combine(HfFixtures.RepoRoot(), "tests", "reference", "hf_llama_forward.py");
        var (worst, spreads) = (0.0, new List<double>());
        // GQA + untied head + linear rope scaling + a non-default theta; then the plain tied multi-head case, sharded.
        foreach (var (name, sizes, shard) in new[]
        {
            ("hf-ref-gqa", TinyModels.Config(kvHeads: 2) with { TieEmbeddings = false, RopeScale = 2.0, RopeTheta = 500_000, ContextLength = 64 }, HfExportOptions.DefaultMaxShardBytes),
            ("hf-ref-tied", TinyModels.Config() with { ContextLength = 64 }, 30_000L),
        })
        {
            var (folder, config) = HfFixtures.ModelFolder(name, sizes, seed: 11);
            HfFixtures.Sharpen(folder);
            var hf = Path.Combine(Path.GetDirectoryName(folder)!, "hf");
            HfExport.Run(folder, hf, new HfExportOptions { MaxShardBytes = shard });
            var random = new Random(5);
            var ids = Enumerable.Range(0, 40).Select(_ => random.Next(config.VocabSize)).ToArray();
            var (code, stdout, stderr) = ClientProcess.Run(NumpyReferenceFactAttribute.Python, [script, hf, .. ids.Select(i => i.ToString())]);
            Assert.True(code == 0, $"{script} failed: {stderr}");
            var reference = JsonSerializer.Deserialize<double[][]>(stdout)!;

            using var model = ModelWeights.LoadTransformer(folder);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var logits = model.forward(tensor(ids.Select(i => (long)i).ToArray()).view(1, -1))[0].to(ScalarType.Float64);
            var expected = tensor(reference.SelectMany(r => r).ToArray()).view(ids.Length, -1);
            var difference = (logits - expected).abs().max().item<double>();
            var spread = expected.std().item<double>();
            Assert.True(spread > 1, $"{name}: reference logits spread only {spread:F3}; the comparison would not see a wrong layer");
            worst = Math.Max(worst, difference);
            spreads.Add(spread);
            Assert.True(difference < 1e-4, $"{name}: max |ours - numpy reference| = {difference:E2} over {ids.Length} positions x {config.VocabSize} logits");
        }
        Console.WriteLine($"numpy LLaMA reference: max abs logit difference {worst:E2} (logit std {string.Join(", ", spreads.Select(x => x.ToString("F2")))})");
    }
    /// <summary>
    /// Llama 3 rope against modeling_rope_utils.py's _compute_llama3_parameters as the numpy script writes it: head dim 16,
    /// theta 1e4, original context 32, factor 4, so the eight frequencies fall in all three bands (wavelength 6.3 kept,
    /// 19.9 blended, 62.8 and up divided), over 128 positions, far enough for the divided low frequencies to turn.
    /// </summary>
    [NumpyReferenceFact]
    public void Llama3_rope_export_gives_our_logits_in_the_numpy_forward_and_plain_rope_would_not()
    {
        Assert.True(NumpyReferenceFactAttribute.Available.Value, $"{NumpyReferenceFactAttribute.Python} with numpy is required (DATAFLOW_REQUIRE_PYTHON=1) but missing");
        var llama3 = new Model.Llama3RopeScaling { Factor = 4, LowFreqFactor = 1, HighFreqFactor = 4, OriginalContextLength = 32 };
        var sizes = TinyModels.Config(kvHeads: 1) with { Heads = 2, TieEmbeddings = false, ContextLength = 128, RopeTheta = 10_000, RopeLlama3 = llama3 };
        var wavelengths = Enumerable.Range(0, sizes.HeadDim / 2).Select(i => 2 * Math.PI * Math.Pow(sizes.RopeTheta, 2.0 * i / sizes.HeadDim)).ToArray();
        Assert.Contains(wavelengths, w => w < 32 / 4.0);               // kept
        Assert.Contains(wavelengths, w => w >= 32 / 4.0 && w <= 32);   // blended
        Assert.Contains(wavelengths, w => w > 32);                     // divided by the factor

        var (folder, config) = HfFixtures.ModelFolder("hf-ref-llama3", sizes, seed: 13);
        HfFixtures.Sharpen(folder);
        var hf = Path.Combine(Path.GetDirectoryName(folder)!, "hf");
        HfExport.Run(folder, hf);
        var random = new Random(9);
        var ids = Enumerable.Range(0, config.ContextLength).Select(_ => random.Next(config.VocabSize)).ToArray();
        using var model = ModelWeights.LoadTransformer(folder);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = model.forward(tensor(ids.Select(i => (long)i).ToArray()).view(1, -1))[0].to(ScalarType.Float64);

        var expected = Reference(hf, ids);
        var difference = (logits - expected).abs().max().item<double>();
        var spread = expected.std().item<double>();
        Assert.True(spread > 1, $"reference logits spread only {spread:F3}; the comparison would not see a wrong rotation");

        // The same weights read as plain rope (rope_scaling removed): the numpy forward must then disagree with us.
        var plain = Path.Combine(Path.GetDirectoryName(folder)!, "hf-plain");
        Directory.CreateDirectory(plain);
        foreach (var file in Directory.GetFiles(hf)) File.Copy(file, Path.Combine(plain, Path.GetFileName(file)));
        var plainConfig = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(plain, HfExport.ConfigFile)))!.AsObject();
        plainConfig["rope_scaling"] = null;
        File.WriteAllText(Path.Combine(plain, HfExport.ConfigFile), plainConfig.ToJsonString());
        var plainDifference = (logits - Reference(plain, ids)).abs().max().item<double>();

        Console.WriteLine($"numpy LLaMA reference, llama3 rope: max abs logit difference {difference:E2} (logit std {spread:F2}); read as plain rope: {plainDifference:E2}");
        Assert.True(difference < 1e-4, $"llama3 rope: max |ours - numpy reference| = {difference:E2} over {ids.Length} positions x {config.VocabSize} logits");
        Assert.True(plainDifference > 1e-2, $"plain rope gives nearly our logits too (max difference {plainDifference:E2}): the test cannot see the llama3 scaling");
    }

    private static Tensor Reference(string hfDir, int[] ids)
    {
        var script = Path.Combine(HfFixtures.RepoRoot(), "tests", "reference", "hf_llama_forward.py");
        var (code, stdout, stderr) = ClientProcess.Run(NumpyReferenceFactAttribute.Python, [script, hfDir, .. ids.Select(i => i.ToString())]);
        Assert.True(code == 0, $"{script} failed: {stderr}");
        var reference = JsonSerializer.Deserialize<double[][]>(stdout)!;
        return tensor(reference.SelectMany(r => r).ToArray()).view(ids.Length, -1);
    }
}
