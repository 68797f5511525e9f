using DataFlow.Trainer.Interop;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Native;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>The Q/K row permutation, checked with numbers: llama.cpp's adjacent-pair rotation of the permuted weights gives our rotation of the originals.</summary>
public sealed class RotaryPairLayoutTests
{
    [Fact]
    public void Adjacent_pair_rope_on_permuted_rows_equals_our_rope_on_the_originals()
    {
        TorchRuntime.EnsureInitialized();
        const int heads = 3, headDim = 8, columns = 5, position = 7;
        var config = new ModelConfig { VocabSize = 8, Dim = heads * headDim, Heads = heads, ContextLength = 16, RopeTheta = 500, RopeScale = 2 };
        using var rotary = new Transformer.Rotary(config);
        var random = new Random(3);
        var weight = Enumerable.Range(0, heads * headDim * columns).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var x = Enumerable.Range(0, columns).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();

        // Ours: project, then rotate channel i with i + d/2.
        var q = MatVec(weight, x, columns);
        using var ours = rotary.Apply(tensor(q).view(1, heads, 1, headDim), tensor(new long[] { position }).view(1, 1));
        var rotated = ours.data<float>().ToArray();

        // llama.cpp (ggml rope NORM): project with the permuted rows, then rotate channels 2i and 2i + 1 by
        // position * freq_scale * freq_base^(-2i/d), freq_scale = 1 / rope scale.
        var permuted = RotaryPairLayout.HalvesToAdjacentPairs(weight, heads, headDim, columns);
        var qPairs = MatVec(permuted, x, columns);
        for (var h = 0; h < heads; h++)
        {
            for (var i = 0; i < headDim / 2; i++)
            {
                var theta = position / config.RopeScale * Math.Pow(config.RopeTheta, -2.0 * i / headDim);
                var (a, b) = (qPairs[h * headDim + 2 * i], qPairs[h * headDim + 2 * i + 1]);
                var first = a * Math.Cos(theta) - b * Math.Sin(theta);
                var second = a * Math.Sin(theta) + b * Math.Cos(theta);
                Assert.Equal(rotated[h * headDim + i], first, 1e-5);
                Assert.Equal(rotated[h * headDim + headDim / 2 + i], second, 1e-5);
            }
        }
    }

    [Fact]
    public void Equals_the_permute_of_llama_cpps_converter()
    {
        // convert_hf_to_gguf.py: w.reshape(n_head, 2, rows // n_head // 2, cols).swapaxes(1, 2).reshape(w.shape)
        TorchRuntime.EnsureInitialized();
        const int heads = 2, headDim = 6, columns = 3;
        var weight = Enumerable.Range(0, heads * headDim * columns).Select(i => (float)i).ToArray();
        using var w = tensor(weight).view(heads * headDim, columns);
        using var converted = w.reshape(heads, 2, headDim / 2, columns).swapaxes(1, 2).reshape(heads * headDim, columns).contiguous();
        Assert.Equal(converted.data<float>().ToArray(), RotaryPairLayout.HalvesToAdjacentPairs(weight, heads, headDim, columns));
    }

    private static float[] MatVec(float[] matrix, float[] x, int columns)
    {
        var result = new float[matrix.Length / columns];
        for (var r = 0; r < result.Length; r++)
            for (var c = 0; c < columns; c++) result[r] += matrix[r * columns + c] * x[c];
        return result;
    }
}
