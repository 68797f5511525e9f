namespace DataFlow.Trainer.Generation;

/// <summary>
/// The new tokens generated for one prompt and why generation stopped ("stop_token" or "length"). <see cref="Tokens"/>
/// is the text (without the stop token); <see cref="Sampled"/> adds the stop token when one ended the row: the actions
/// a rollout trains on. <see cref="LogProbs"/>[i] is log p(Sampled[i]) at the sampling temperature (before top-k/top-p).
/// </summary>
public sealed record GeneratedSequence(int[] Tokens, string FinishReason, int? StopToken, float[] LogProbs)
{
    public int[] Sampled => StopToken is { } stop ? [.. Tokens, stop] : Tokens;
}
