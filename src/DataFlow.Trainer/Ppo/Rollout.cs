using static TorchSharp.torch;

namespace DataFlow.Trainer.Ppo;

/// <summary>
/// prompt + response per row, right-padded. Input position i predicts token i + 1, so response token t is the
/// action at position t - 1; <see cref="Mask"/> [B, T-1] marks those action positions, from
/// <see cref="FirstAction"/> to <see cref="LastAction"/> in each row.
/// </summary>
public sealed class Rollout : IDisposable
{
    public required Tensor Tokens { get; init; }
    public required Tensor Lengths { get; init; }
    public required Tensor Inputs { get; init; }
    public required Tensor Targets { get; init; }
    public required Tensor Mask { get; init; }
    public required int[] FirstAction { get; init; }
    public required int[] LastAction { get; init; }

    public static Rollout Build(IReadOnlyList<int[]> prompts, IReadOnlyList<List<int>> responses, int padId)
    {
        var rows = prompts.Count;
        var width = Enumerable.Range(0, rows).Max(b => prompts[b].Length + Math.Max(1, responses[b].Count));
        var tokens = new long[rows * width];
        var mask = new float[rows * (width - 1)];
        Array.Fill(tokens, padId);
        var (first, last, lengths) = (new int[rows], new int[rows], new long[rows]);
        for (var b = 0; b < rows; b++)
        {
            var sequence = prompts[b].Concat(responses[b]).ToArray();
            for (var i = 0; i < sequence.Length; i++) tokens[b * width + i] = sequence[i];
            lengths[b] = sequence.Length;
            first[b] = prompts[b].Length - 1;
            last[b] = sequence.Length - 2;
            for (var i = first[b]; i <= last[b]; i++) mask[b * (width - 1) + i] = 1;
        }
        var all = tensor(tokens, [rows, width]);
        return new Rollout
        {
            Tokens = all.DetachFromDisposeScope(),
            Lengths = tensor(lengths).DetachFromDisposeScope(),
            Inputs = all.narrow(1, 0, width - 1).contiguous().DetachFromDisposeScope(),
            Targets = all.narrow(1, 1, width - 1).contiguous().DetachFromDisposeScope(),
            Mask = tensor(mask, [rows, width - 1]).DetachFromDisposeScope(),
            FirstAction = first,
            LastAction = last,
        };
    }

    public void Dispose()
    {
        foreach (var t in new[] { Tokens, Lengths, Inputs, Targets, Mask }) t.Dispose();
    }
}
