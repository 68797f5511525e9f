namespace DataFlow.Jobs.Training.Eval;

/// <summary>How much held-out data the eval stage uses.</summary>
public sealed record EvalOptions
{
    public int Prompts { get; init; } = 300;
    public int ValidationRows { get; init; } = 256;
    public int MaxTokens { get; init; } = 64;
    public int MaxNewTokens { get; init; } = 12;
    public int SamplesShown { get; init; } = 12;
    public int Threads { get; init; }
}
