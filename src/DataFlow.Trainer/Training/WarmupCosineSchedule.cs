namespace DataFlow.Trainer.Training;

/// <summary>Linear warmup to <see cref="MaxLr"/>, then cosine decay to <see cref="MinLr"/> at <see cref="DecaySteps"/>, flat after.</summary>
public sealed record WarmupCosineSchedule(double MaxLr, double MinLr, int WarmupSteps, int DecaySteps)
{
    /// <summary>Learning rate for 0-based optimizer step <paramref name="step"/>.</summary>
    public double At(long step)
    {
        if (step < WarmupSteps) return MaxLr * (step + 1) / WarmupSteps;
        if (step >= DecaySteps) return MinLr;
        var progress = (double)(step - WarmupSteps) / Math.Max(1, DecaySteps - WarmupSteps);
        return MinLr + 0.5 * (1 + Math.Cos(Math.PI * progress)) * (MaxLr - MinLr);
    }
}
