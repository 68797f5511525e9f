using DataFlow.Trainer.Native;
using DataFlow.Trainer.Training;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests;

public sealed class AdamWTests
{
    [Fact]
    public void Matches_torch_AdamW_step_for_step_with_decay_on_matrices_only()
    {
        TorchRuntime.EnsureInitialized();
        manual_seed(3);
        var (startW, startG) = (randn(5, 4), randn(4));
        var (ourW, ourG) = (new Parameter(startW.clone()), new Parameter(startG.clone()));
        var (theirW, theirG) = (new Parameter(startW.clone()), new Parameter(startG.clone()));
        using var adam = new DataFlow.Trainer.Training.AdamW([("w", ourW), ("gain", ourG)], beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1);
        // The peer: torch's AdamW with the matrix in a decayed group and the vector (a norm gain) in an undecayed one.
        var reference = optim.AdamW([
            new TorchSharp.Modules.AdamW.ParamGroup([theirW], new TorchSharp.Modules.AdamW.Options { LearningRate = 0.01, beta1 = 0.9, beta2 = 0.95, eps = 1e-8, weight_decay = 0.1 }),
            new TorchSharp.Modules.AdamW.ParamGroup([theirG], new TorchSharp.Modules.AdamW.Options { LearningRate = 0.01, beta1 = 0.9, beta2 = 0.95, eps = 1e-8, weight_decay = 0 }),
        ], lr: 0.01);
        for (var step = 0; step < 5; step++)
        {
            var (target, gainTarget) = (randn(5, 4), randn(4));
            foreach (var (w, g) in new[] { (ourW, ourG), (theirW, theirG) })
            {
                using var loss = (w - target).pow(2).sum() + (g - gainTarget).pow(3).sum();
                loss.backward();
            }
            adam.Step(0.01);
            reference.step();
            adam.ZeroGrad();
            reference.zero_grad();
            Assert.True(ourW.allclose(theirW, rtol: 1e-5, atol: 1e-7), $"matrix, step {step}");
            Assert.True(ourG.allclose(theirG, rtol: 1e-5, atol: 1e-7), $"gain, step {step}");
        }
        Assert.Equal(5, adam.StepCount);
    }

    [Fact]
    public void Three_steps_equal_the_published_update_computed_by_hand()
    {
        // Loshchilov and Hutter's AdamW as torch documents it: theta *= 1 - lr wd; m = b1 m + (1 - b1) g;
        // v = b2 v + (1 - b2) g^2; theta -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps), in doubles.
        TorchRuntime.EnsureInitialized();
        double[] start = [0.5, -1.5, 2.0, 0.25];
        double[][] grads = [[0.1, -0.2, 0.3, 1.0], [-0.4, 0.05, 0.3, 2.0], [0.2, 0.2, -0.1, -0.5]];
        double[] lrs = [1e-2, 3e-2, 2e-2];
        const double b1 = 0.9, b2 = 0.99, eps = 1e-8, wd = 0.1;
        var theta = (double[])start.Clone();
        double[] m = new double[4], v = new double[4];
        for (var t = 1; t <= 3; t++)
            for (var i = 0; i < 4; i++)
            {
                var (g, lr) = (grads[t - 1][i], lrs[t - 1]);
                theta[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                theta[i] -= lr * (m[i] / (1 - Math.Pow(b1, t))) / (Math.Sqrt(v[i] / (1 - Math.Pow(b2, t))) + eps);
            }

        var parameter = new Parameter(tensor(start, [2, 2], ScalarType.Float64));
        using var adam = new DataFlow.Trainer.Training.AdamW([("w", parameter)], beta1: b1, beta2: b2, eps: eps, weightDecay: wd);
        for (var t = 0; t < 3; t++) adam.Step(lrs[t], [tensor(grads[t], [2, 2], ScalarType.Float64)]);
        var ours = parameter.detach().flatten().data<double>().ToArray();
        for (var i = 0; i < 4; i++) Assert.Equal(theta[i], ours[i], 12);
    }

    [Fact]
    public void Saved_state_resumes_bit_exactly()
    {
        TorchRuntime.EnsureInitialized();
        manual_seed(5);
        var start = randn(3, 3);
        var grads = Enumerable.Range(0, 6).Select(_ => randn(3, 3)).ToArray();
        var straight = new Parameter(start.clone());
        using (var adam = new DataFlow.Trainer.Training.AdamW([("w", straight)]))
            foreach (var g in grads) adam.Step(1e-2, [g]);

        var resumed = new Parameter(start.clone());
        var file = Path.Combine(Path.GetTempPath(), $"adamw-{Guid.NewGuid():N}.safetensors");
        using (var first = new DataFlow.Trainer.Training.AdamW([("w", resumed)]))
        {
            foreach (var g in grads.Take(3)) first.Step(1e-2, [g]);
            first.Save(file);
        }
        using (var second = new DataFlow.Trainer.Training.AdamW([("w", resumed)]))
        {
            second.Load(file);
            Assert.Equal(3, second.StepCount);
            foreach (var g in grads.Skip(3)) second.Step(1e-2, [g]);
        }
        Assert.True(resumed.allclose(straight, rtol: 0, atol: 0), "resumed weights differ from an uninterrupted run");

        using var other = new DataFlow.Trainer.Training.AdamW([("other", new Parameter(zeros(3, 3)))]);
        var error = Assert.Throws<InvalidDataException>(() => other.Load(file));
        Assert.Contains(file, error.Message);
        Assert.Contains("'m.other'", error.Message);
        File.Delete(file);
    }

    [Fact]
    public void Schedule_warms_up_linearly_then_follows_a_cosine_to_the_floor()
    {
        // lr(s) = peak (s + 1) / W below W; floor + (peak - floor) (1 + cos(pi (s - W) / (D - W))) / 2 up to D; floor after.
        var schedule = new WarmupCosineSchedule(1e-3, 1e-4, 10, 110);
        Assert.Equal(1e-4, schedule.At(0), 12);                 // first warmup step: 1e-3 * 1 / 10
        Assert.Equal(5e-4, schedule.At(4), 12);                 // mid-warmup: 1e-3 * 5 / 10
        Assert.Equal(1e-3, schedule.At(9), 12);                 // last warmup step reaches the peak
        Assert.Equal(1e-3, schedule.At(10), 12);                // peak: cos(0) = 1
        Assert.Equal(1e-4 + 9e-4 * (1 + Math.Sqrt(0.5)) / 2, schedule.At(35), 12); // a quarter in: cos(pi/4)
        Assert.Equal(5.5e-4, schedule.At(60), 12);              // halfway: cos(pi/2) = 0
        Assert.Equal(1e-4, schedule.At(110), 12);               // end of decay
        Assert.Equal(1e-4, schedule.At(500), 12);               // flat after
    }

    [Fact]
    public void Run_schedule_of_sft_and_reward_reaches_the_ratio_floor_at_the_last_step()
    {
        // peak 2e-3, floor 0.1 x peak = 2e-4, warmup 4, 20 steps in all.
        var schedule = WarmupCosineSchedule.OverRun(2e-3, 0.1, 4, 20);
        Assert.Equal(5e-4, schedule.At(0), 12);
        Assert.Equal(2e-3, schedule.At(4), 12);
        Assert.Equal(2e-4 + 1.8e-3 * (1 + Math.Cos(Math.PI * 6 / 16)) / 2, schedule.At(10), 12);
        Assert.Equal(1.1e-3, schedule.At(12), 12);
        Assert.Equal(2e-4, schedule.At(20), 12);
        Assert.Equal(2e-4, schedule.At(25), 12);
        var noWarmup = WarmupCosineSchedule.OverRun(1e-3, 0, 0, 10);
        Assert.Equal(1e-3, noWarmup.At(0), 12);
        Assert.Equal(5e-4, noWarmup.At(5), 12);
    }
}
