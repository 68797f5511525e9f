namespace DataFlow.Trainer.Training;

/// <summary>
/// Linear warmup to <see cref="MaxLr"/>, then cosine decay to <see cref="MinLr"/> at <see cref="DecaySteps"/>, flat after.
/// The one learning-rate schedule of every trainer: lr(s) = MaxLr (s + 1) / W for s &lt; W; MinLr for s &gt;= D;
/// otherwise MinLr + (MaxLr - MinLr) (1 + cos(pi (s - W) / (D - W))) / 2.
/// </summary>
public sealed record WarmupCosineSchedule(double MaxLr, double MinLr, int WarmupSteps, int DecaySteps)
{
    /// <summary>The sft / reward form: peak <paramref name="peak"/>, floor <paramref name="minRatio"/> x peak, reached at the run's last step.</summary>
    public static WarmupCosineSchedule OverRun(double peak, double minRatio, int warmupSteps, int totalSteps) =>
        new(peak, peak * minRatio, warmupSteps, totalSteps);

    /// <summary>Learning rate for 0-based optimizer step <paramref name="step"/>.</summary>
    public double At(long step)
    {
        if (step < WarmupSteps) return MaxLr * (step + 1) / WarmupSteps;
        if (step >= DecaySteps) return MinLr;
        var progress = (double)(step - WarmupSteps) / Math.Max(1, DecaySteps - WarmupSteps);
        return MinLr + 0.5 * (1 + Math.Cos(Math.PI * progress)) * (MaxLr - MinLr);
    }
}
