namespace DataFlow.Trainer.Lora;

/// <summary>
/// Low-rank adaptation settings (Hu et al. 2021): each target linear W gets W + (alpha / rank) * B A with A [rank, in]
/// (Kaiming-uniform) and B [out, rank] (zeros, so training starts from the base model exactly).
/// </summary>
public sealed record LoraConfig
{
    public int Rank { get; init; } = 8;
    public double Alpha { get; init; } = 16;
    public double Dropout { get; init; }

    /// <summary>Linear names inside each block: attention wq, wk, wv, wo and MLP w1, w2, w3.</summary>
    public IReadOnlyList<string> Targets { get; init; } = ["wq", "wk", "wv", "wo", "w1", "w2", "w3"];

    public double Scale => Alpha / Rank;

    public static readonly IReadOnlyList<string> KnownTargets = ["wq", "wk", "wv", "wo", "w1", "w2", "w3"];

    public LoraConfig Validate()
    {
        if (Rank <= 0) throw new ArgumentException($"lora rank must be positive, got {Rank}");
        if (Alpha <= 0) throw new ArgumentException($"lora alpha must be positive, got {Alpha}");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"lora dropout must be in [0, 1), got {Dropout}");
        if (Targets.Count == 0) throw new ArgumentException("lora targets is empty");
        foreach (var target in Targets)
            if (!KnownTargets.Contains(target)) throw new ArgumentException($"unknown lora target '{target}' (known: {string.Join(", ", KnownTargets)})");
        return this;
    }
}
