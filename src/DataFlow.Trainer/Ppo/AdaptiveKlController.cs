namespace DataFlow.Trainer.Ppo;

/// <summary>
/// The KL coefficient beta. Fixed when <see cref="Target"/> is null; otherwise Ziegler et al. 2019's controller:
/// beta *= 1 + clip(KL / target - 1, -0.2, 0.2) * n / horizon, after each batch of n rollouts.
/// </summary>
public sealed class AdaptiveKlController(double initial, double? target, double horizon)
{
    public double Value { get; private set; } = initial;
    public double? Target { get; } = target;

    public void Update(double observedKl, int rollouts)
    {
        if (Target is not { } t) return;
        var error = Math.Clamp(observedKl / t - 1, -0.2, 0.2);
        Value *= 1 + error * rollouts / horizon;
    }

    /// <summary>For checkpoints: resume must continue with the coefficient the run had reached.</summary>
    public void Restore(double value) => Value = value;
}
