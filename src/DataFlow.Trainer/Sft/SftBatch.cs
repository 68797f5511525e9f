using DataFlow.Text.Chat;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Sft;

/// <summary>
/// Right-padded next-token batch: input i predicts token i + 1; targets that are padding or outside the loss mask
/// are <see cref="IgnoreIndex"/>, which cross-entropy skips, so those positions contribute neither loss nor gradient.
/// </summary>
public static class SftBatch
{
    public const long IgnoreIndex = -100;

    public static (Tensor Inputs, Tensor Targets) Collate(IReadOnlyList<TokenizedConversation> examples, int padId)
    {
        var length = examples.Max(e => e.Length) - 1;
        var inputs = new long[examples.Count * length];
        var targets = new long[examples.Count * length];
        Array.Fill(inputs, padId);
        Array.Fill(targets, IgnoreIndex);
        for (var b = 0; b < examples.Count; b++)
        {
            var example = examples[b];
            for (var i = 0; i < example.Length - 1; i++)
            {
                inputs[b * length + i] = example.Ids[i];
                if (example.LossMask[i + 1]) targets[b * length + i] = example.Ids[i + 1];
            }
        }
        return (tensor(inputs, [examples.Count, length]), tensor(targets, [examples.Count, length]));
    }

    /// <summary>Summed cross-entropy over the positions whose target is not ignored (a data-parallel rank's share, divided by the global count).</summary>
    public static Tensor MaskedLossSum(Tensor logits, Tensor targets) =>
        nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1), ignore_index: IgnoreIndex, reduction: nn.Reduction.Sum);

    /// <summary>
    /// Mean cross-entropy over the positions whose target is not ignored: <see cref="MaskedLossSum"/> / max(1, targets).
    /// A batch with no target at all has loss 0 and no gradient (libtorch's mean would be 0 / 0 = NaN). Such batches
    /// do not come from <see cref="SftDataset"/>, which rejects rows without a target before they reach a batch.
    /// </summary>
    public static Tensor MaskedLoss(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var count = targets.ne(IgnoreIndex).sum().clamp_min(1).to(ScalarType.Float32);
        return (MaskedLossSum(logits, targets) / count).MoveToOuterDisposeScope();
    }

    /// <summary>Targets a row yields after the shift (token i + 1 under the loss mask, for i &lt; length - 1); a row with none is rejected.</summary>
    public static int TargetCount(TokenizedConversation example) => example.LossMask.Skip(1).Count(m => m);
}
