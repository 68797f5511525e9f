using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;

namespace DataFlow.Tests.Engine;

/// <summary>
/// The live line of a training stage: steps done / total, tokens per second and ETA at the pace of the steps this
/// invocation ran (a resumed run counts from its checkpoint), worked out by hand from a clock the test moves.
/// </summary>
public sealed class TrainingProgressTests
{
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks { get; set; } = 1_000;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Ticks;
    }

    [Fact]
    public void A_resumed_pretrain_shows_steps_tokens_per_second_loss_and_an_eta_from_its_own_pace()
    {
        var clock = new ManualClock();
        var progress = new TaskProgress(clock);
        Assert.False(progress.IsTraining);
        progress.StartSteps(firstStep: 100, totalSteps: 250);
        Assert.Equal("  pretrain: step 100/250 (40%), ETA --:--:--", ConsoleProgressObserver.TrainingLine("pretrain", progress, 79));

        // 30 steps in 30 s from step 100: 1 step/s, 120 steps left -> 2 minutes; 61,440 tokens / 30 s = 2,048 tok/s.
        clock.Ticks += TimeSpan.FromSeconds(30).Ticks;
        progress.CompleteStep(step: 130, tokens: 61_440, loss: 1.23456);
        Assert.Equal(TimeSpan.FromMinutes(2), progress.Eta);
        Assert.Equal(0.52, progress.Fraction, 6);
        Assert.Equal("  pretrain: step 130/250 (52%), ETA 00:02:00, loss 1.235, 2,048 tok/s", ConsoleProgressObserver.TrainingLine("pretrain", progress, 79));
    }

    [Fact]
    public void Ppo_shows_reward_and_kl_of_its_last_iteration_and_a_narrow_console_drops_parts_from_the_end()
    {
        var clock = new ManualClock();
        var progress = new TaskProgress(clock);
        progress.StartSteps(0, 8);
        // 3 iterations in 90 s: 30 s each, 5 left -> 150 s.
        clock.Ticks += TimeSpan.FromSeconds(90).Ticks;
        progress.CompleteStep(3, tokens: 9_000, loss: -0.0123, reward: 0.4126, kl: 0.0213);
        Assert.Equal("  ppo: step 3/8 (38%), ETA 00:02:30, reward 0.413, KL 0.021, loss -0.012, 100 tok/s", ConsoleProgressObserver.TrainingLine("ppo", progress, 100));
        Assert.Equal("  ppo: step 3/8 (38%), ETA 00:02:30, reward 0.413, KL 0.021, loss -0.012", ConsoleProgressObserver.TrainingLine("ppo", progress, 79));
        Assert.Equal("  ppo: step 3/8 (38%), ETA 00:02:30, reward 0.413, KL 0.021", ConsoleProgressObserver.TrainingLine("ppo", progress, 60));
        Assert.Equal("  ppo: step 3/8 (38%)", ConsoleProgressObserver.TrainingLine("ppo", progress, 30));
    }

    [Fact]
    public void A_finished_stage_line_wider_than_the_console_wraps_after_a_comma()
    {
        const string line = "stage reward done in 206.4s: 200 steps, 497,920 tokens, 2,436 tok/s, loss 0.0426, eval loss 0.227, accuracy 85.7%";
        Assert.Equal(
        [
            "stage reward done in 206.4s: 200 steps, 497,920 tokens, 2,436 tok/s,",
            "    loss 0.0426, eval loss 0.227, accuracy 85.7%",
        ], ConsoleProgressObserver.WrapAtCommas(line, 80));
        Assert.Equal([line], ConsoleProgressObserver.WrapAtCommas(line, 120));
    }
}
