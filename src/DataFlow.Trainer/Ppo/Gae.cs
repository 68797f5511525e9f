namespace DataFlow.Trainer.Ppo;

/// <summary>
/// Generalized advantage estimation (Schulman et al. 2016) over one response:
/// delta_t = r_t + gamma * V_{t+1} - V_t (V after the last token is 0), A_t = delta_t + gamma * lambda * A_{t+1},
/// returns R_t = A_t + V_t (the value targets).
/// </summary>
public static class Gae
{
    public static (float[] Advantages, float[] Returns) Compute(IReadOnlyList<float> rewards, IReadOnlyList<float> values, double gamma, double lambda)
    {
        if (rewards.Count != values.Count) throw new ArgumentException($"{rewards.Count} rewards but {values.Count} values");
        var n = rewards.Count;
        var advantages = new float[n];
        var returns = new float[n];
        double next = 0, nextValue = 0;
        for (var t = n - 1; t >= 0; t--)
        {
            var delta = rewards[t] + gamma * nextValue - values[t];
            next = delta + gamma * lambda * next;
            advantages[t] = (float)next;
            returns[t] = (float)(next + values[t]);
            nextValue = values[t];
        }
        return (advantages, returns);
    }
}
