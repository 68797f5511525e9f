using DataFlow.Trainer.Native;
using DataFlow.Trainer.Training;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests;

public sealed class AdamWTests
{
    [Fact]
    public void Matches_torch_AdamW_step_for_step()
    {
        TorchRuntime.EnsureInitialized();
        manual_seed(3);
        var start = randn(5, 4);
        var ours = new Parameter(start.clone());
        var theirs = new Parameter(start.clone());
        using var adam = new DataFlow.Trainer.Training.AdamW([("w", ours)], beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1);
        var reference = optim.AdamW([theirs], lr: 0.01, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1);
        for (var step = 0; step < 5; step++)
        {
            var target = randn(5, 4);
            foreach (var p in new[] { ours, theirs })
            {
                using var loss = (p - target).pow(2).sum();
                loss.backward();
            }
            adam.Step(0.01);
            reference.step();
            adam.ZeroGrad();
            reference.zero_grad();
            Assert.True(ours.allclose(theirs, rtol: 1e-5, atol: 1e-7), $"step {step}");
        }
        Assert.Equal(5, adam.StepCount);
    }

    [Fact]
    public void Schedule_warms_up_linearly_then_follows_a_cosine_to_the_floor()
    {
        var schedule = new WarmupCosineSchedule(1e-3, 1e-4, 10, 110);
        Assert.Equal(1e-4, schedule.At(0), 12);
        Assert.Equal(1e-3, schedule.At(9), 12);
        Assert.Equal(1e-3, schedule.At(10), 12);
        Assert.Equal(5.5e-4, schedule.At(60), 12);
        Assert.Equal(1e-4, schedule.At(110), 12);
        Assert.Equal(1e-4, schedule.At(500), 12);
    }
}
