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
}
