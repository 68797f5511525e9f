namespace DataFlow.Trainer.Sft;

/// <summary>How responses are drawn: temperature 0 is greedy; top_k 0 keeps the whole vocabulary.</summary>
public sealed record SamplingOptions
{
    public int MaxNewTokens { get; init; } = 16;
    public double Temperature { get; init; }
    public int TopK { get; init; }

    /// <summary>Keys/values cached across steps (default); false recomputes the whole sequence per token (benchmarks).</summary>
    public bool UseKvCache { get; init; } = true;
}
