namespace DataFlow.Trainer.Generation;

/// <summary>The new tokens generated for one prompt and why generation stopped ("stop_token" or "length").</summary>
public sealed record GeneratedSequence(int[] Tokens, string FinishReason);
