namespace DataFlow.Trainer.Sft;

/// <summary>Linear warmup to the peak, then cosine decay to min_ratio * peak at the last step.</summary>
public static class LearningRateSchedule
{
    public static double At(int step, int totalSteps, int warmupSteps, double peak, double minRatio)
    {
        if (warmupSteps > 0 && step < warmupSteps) return peak * (step + 1) / warmupSteps;
        var span = Math.Max(1, totalSteps - warmupSteps);
        var progress = Math.Clamp((double)(step - warmupSteps) / span, 0, 1);
        return peak * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
