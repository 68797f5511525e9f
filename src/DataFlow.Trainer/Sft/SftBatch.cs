using DataFlow.Text.Chat;
using DataFlow.Trainer.Model;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Sft;

/// <summary>
/// Right-padded next-token batch of <see cref="SftRow"/>s: input i predicts token i + 1; targets that are padding or outside the loss mask
/// are <see cref="IgnoreIndex"/>, which cross-entropy skips, so those positions contribute neither loss nor gradient.
/// </summary>
public static class SftBatch
{
    public const long IgnoreIndex = -100;

    public static (Tensor Inputs, Tensor Targets) Collate(IReadOnlyList<TokenizedConversation> examples, int padId)
    {
        var (inputs, targets, _) = Collate(examples.Select(e => SftRow.Of(e, padId)).ToList(), padId);
        return (inputs, targets);
    }

    /// <summary>
    /// Rows cut to the batch's longest used length. A target must be in the loss mask and in the same conversation as
    /// its input, so no loss crosses from one conversation of a packed row into the next; when a row holds several
    /// conversations the batch comes with their <see cref="PackedLayout"/> (else null: plain causal attention).
    /// </summary>
    public static (Tensor Inputs, Tensor Targets, PackedLayout? Layout) Collate(IReadOnlyList<SftRow> rows, int padId)
    {
        var length = rows.Max(r => r.Used) - 1;
        var inputs = new long[rows.Count * length];
        var targets = new long[rows.Count * length];
        var segments = new int[rows.Count * length];
        Array.Fill(inputs, padId);
        Array.Fill(targets, IgnoreIndex);
        for (var b = 0; b < rows.Count; b++)
        {
            var row = rows[b];
            for (var i = 0; i < Math.Min(length, row.Used - 1); i++) // a row's last token predicts nothing: pad input, as short rows always had
            {
                var at = b * length + i;
                (inputs[at], segments[at]) = (row.Tokens[i], row.Segments[i]);
                var segment = row.Segments[i + 1];
                if (segment != 0 && segment == row.Segments[i] && row.LossMask[i + 1] != 0) targets[at] = row.Tokens[i + 1];
            }
        }
        var layout = rows.Any(r => r.Conversations > 1) ? PackedLayout.FromSegments(segments, rows.Count, length) : null;
        return (tensor(inputs, [rows.Count, length]), tensor(targets, [rows.Count, length]), layout);
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
