using DataFlow.Trainer.Model;
using DataFlow.Trainer.Native;
using DataFlow.Trainer.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests;

/// <summary>bf16 mode: float32 accumulation of micro-batch gradients; RMSNorm and RoPE computed in float32 and rounded once.</summary>
public sealed class Bf16Tests(ITestOutputHelper output)
{
    private const double BfloatUnitRoundoff = 1.0 / 256; // 8 significant bits: round-to-nearest is within 2^-8 relative

    [Fact]
    public void Four_micro_batch_gradients_summed_in_float32_are_closer_to_the_float32_reference_than_a_bfloat16_sum()
    {
        using var master = TinyModels.Build();
        var rows = TinyModels.Rows(4 * 6, 16, seed: 9);
        var micro = Enumerable.Range(0, 4).Select(i =>
        {
            var batch = rows.Skip(i * 6).Take(6).ToArray();
            return (tensor(batch.SelectMany(r => r[..^1]).Select(t => (long)t).ToArray(), [6, 16]),
                    tensor(batch.SelectMany(r => r[1..]).Select(t => (long)t).ToArray(), [6, 16]));
        }).ToArray();

        // The float32 reference: the master model accumulates its own gradients.
        foreach (var (inputs, targets) in micro) (master.Loss(inputs, targets) / micro.Length).backward();
        var reference = cat(master.parameters().Select(p => p.grad!.flatten()).ToArray());

        Tensor BfloatGradients(bool float32Sum)
        {
            using var copy = new Transformer(master.Config);
            copy.to(ScalarType.BFloat16);
            using (no_grad()) foreach (var (c, m) in copy.parameters().Zip(master.parameters())) c.copy_(m);
            using var sum = float32Sum ? new Float32GradientSum(copy.parameters()) : null;
            foreach (var (inputs, targets) in micro)
            {
                (copy.Loss(inputs, targets) / micro.Length).backward();
                sum?.AddAndClear(); // what CausalLmTrainer does after each micro-batch in bf16 mode
            }
            return sum is not null
                ? cat(sum.Sums.Select(g => g.flatten()).ToArray())
                : cat(copy.parameters().Select(p => p.grad!.to(ScalarType.Float32).flatten()).ToArray()); // the old bf16 .grad sum
        }
        var summedInFloat32 = BfloatGradients(float32Sum: true);
        var summedInBfloat16 = BfloatGradients(float32Sum: false);
        double RelativeError(Tensor g) => ((g - reference).norm() / reference.norm()).item<float>();
        var (newError, oldError) = (RelativeError(summedInFloat32), RelativeError(summedInBfloat16));
        output.WriteLine($"relative L2 error vs float32: float32 accumulation {newError:E3}, bfloat16 accumulation {oldError:E3}");
        Assert.True(newError < oldError, $"float32 accumulation {newError:E3} is not closer than bfloat16 accumulation {oldError:E3}");
        Assert.True(newError < 0.05, $"bf16 gradients are {newError:P1} off the float32 ones");
    }

    [Fact]
    public void Rms_norm_on_bfloat16_input_equals_the_exact_norm_rounded_once()
    {
        TorchRuntime.EnsureInitialized();
        manual_seed(4);
        using var norm = new Transformer.RmsNorm(64, 1e-5);
        using (no_grad()) norm.parameters().Single().copy_(rand(64) + 0.5);
        norm.to(ScalarType.BFloat16);
        var x = (randn(3, 5, 64) * 3).to(ScalarType.BFloat16);
        using var noGrad = no_grad();
        var y = norm.forward(x);
        Assert.Equal(ScalarType.BFloat16, y.dtype);

        // y = x / sqrt(mean(x^2) + eps) * w, in doubles from the same bfloat16 inputs.
        var xs = x.to(ScalarType.Float64).data<double>().ToArray();
        var w = norm.parameters().Single().to(ScalarType.Float64).data<double>().ToArray();
        var ys = y.to(ScalarType.Float64).data<double>().ToArray();
        var worst = 0.0;
        for (var row = 0; row < 15; row++)
        {
            var meanSquare = Enumerable.Range(0, 64).Sum(i => xs[row * 64 + i] * xs[row * 64 + i]) / 64;
            for (var i = 0; i < 64; i++)
            {
                var exact = xs[row * 64 + i] / Math.Sqrt(meanSquare + 1e-5) * w[i];
                var error = Math.Abs(ys[row * 64 + i] - exact);
                worst = Math.Max(worst, error / Math.Max(Math.Abs(exact), 1e-30));
                Assert.True(error <= BfloatUnitRoundoff * Math.Abs(exact) + 1e-6, $"row {row} channel {i}: {ys[row * 64 + i]} vs exact {exact}");
            }
        }
        output.WriteLine($"RMSNorm bf16: worst relative error {worst:E3} (bf16 unit roundoff {BfloatUnitRoundoff:E3})");
    }

    [Fact]
    public void Rotary_on_bfloat16_input_equals_the_exact_rotation_rounded_once()
    {
        TorchRuntime.EnsureInitialized();
        manual_seed(6);
        var config = TinyModels.Config() with { RopeTheta = 10_000, RopeScale = 2.0 };
        using var rotary = new Transformer.Rotary(config);
        rotary.to(ScalarType.BFloat16); // as in the bf16 copy of a model: the tables must stay float32
        var (heads, t, d) = (config.Heads, config.ContextLength, config.HeadDim);
        var x = (randn(2, heads, t, d) * 2).to(ScalarType.BFloat16);
        var y = rotary.Apply(x, null);
        Assert.Equal(ScalarType.BFloat16, y.dtype);

        // (x1, x2) at channel pair (i, i + d/2), position p: angle = (p / scale) theta^(-2i/d); y = (x1 cos - x2 sin, x1 sin + x2 cos).
        var xs = x.to(ScalarType.Float64).data<double>().ToArray();
        var ys = y.to(ScalarType.Float64).data<double>().ToArray();
        var half = d / 2;
        var worst = 0.0;
        for (var row = 0; row < 2 * heads; row++)
            for (var p = 0; p < t; p++)
                for (var i = 0; i < half; i++)
                {
                    var angle = p / config.RopeScale * Math.Pow(config.RopeTheta, -2.0 * i / d);
                    var at = (row * t + p) * d;
                    var (x1, x2) = (xs[at + i], xs[at + half + i]);
                    foreach (var (got, exact) in new[] { (ys[at + i], x1 * Math.Cos(angle) - x2 * Math.Sin(angle)), (ys[at + half + i], x1 * Math.Sin(angle) + x2 * Math.Cos(angle)) })
                    {
                        var error = Math.Abs(got - exact);
                        worst = Math.Max(worst, error / (Math.Abs(x1) + Math.Abs(x2) + 1e-30));
                        // one bf16 rounding of the result, plus float32 table error (angles up to 12 rad)
                        Assert.True(error <= BfloatUnitRoundoff * Math.Abs(exact) + 1e-5 * (Math.Abs(x1) + Math.Abs(x2)), $"row {row} position {p} pair {i}: {got} vs exact {exact}");
                    }
                }
        output.WriteLine($"RoPE bf16: worst error relative to |x1| + |x2|: {worst:E3}");
    }
}
