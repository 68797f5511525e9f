using static TorchSharp.torch;

namespace DataFlow.Trainer.Model;

/// <summary>
/// One inference forward pass over cached keys/values: new tokens go to cache slots [Start, Start + T),
/// rotated by <see cref="Positions"/> [B, T]; <see cref="Mask"/> [B, 1, T, Start + T] (true = may attend) hides
/// the future and left padding.
/// </summary>
public sealed record InferenceStep(KvCache Cache, int Start, Tensor Positions, Tensor Mask);
