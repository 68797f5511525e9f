namespace DataFlow.Trainer.Generation;

/// <summary>How to pick each next token. Temperature 0 is greedy; top-k 0 and top-p 1 disable those filters.</summary>
public sealed record GenerationOptions
{
    public int MaxNewTokens { get; init; } = 200;
    public double Temperature { get; init; } = 0.8;
    public int TopK { get; init; }
    public double TopP { get; init; } = 1.0;

    /// <summary>A sequence ends when it produces one of these (<see cref="GeneratedSequence.StopToken"/>, not part of its text).</summary>
    public IReadOnlyList<int> StopTokens { get; init; } = [];

    /// <summary>Row b samples from its own generator seeded by (seed, first row + b): its tokens do not depend on the rest of the batch.</summary>
    public long Seed { get; init; } = 1337;

    /// <summary>
    /// Past the context length, keep generating over the last half context re-read as a new prompt (nanoGPT crops;
    /// free text). Off (chat, RLHF): generation ends at the context length, and a prompt that fills it is an error.
    /// </summary>
    public bool SlideContext { get; init; }

    public GenerationOptions Validate()
    {
        if (MaxNewTokens < 0) throw new ArgumentException("max_new_tokens must be >= 0");
        if (Temperature < 0) throw new ArgumentException("temperature must be >= 0");
        if (TopK < 0) throw new ArgumentException("top_k must be >= 0");
        if (TopP is <= 0 or > 1) throw new ArgumentException("top_p must be in (0, 1]");
        return this;
    }
}
