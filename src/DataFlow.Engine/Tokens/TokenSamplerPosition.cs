namespace DataFlow.Engine.Tokens;

/// <summary>Where a <see cref="TokenBatchSampler"/> is: the epoch and the next step within it. Save it with a checkpoint, restore it to resume exactly.</summary>
public readonly record struct TokenSamplerPosition(int Epoch, long Step);
