namespace DataFlow.Trainer.Training;

/// <summary>
/// One matrix product a training step runs: <see cref="Batch"/> products of [M, K] x [K, N], with the operands laid out as
/// the step lays them out (<see cref="TransposeA"/>: the left operand is stored [K, M] and read transposed, as a weight
/// gradient reads the output gradient; <see cref="TransposeB"/>: the right operand is stored [N, K], as <c>linear</c> reads
/// its weight). <see cref="PerStep"/> counts how often one step runs it (layers, the three projections of q/k/v, ...).
/// </summary>
public sealed record MatmulShape(string Name, long Batch, long M, long K, long N, bool TransposeA, bool TransposeB, int PerStep)
{
    /// <summary>Multiply-adds counted as two FLOPs each: 2 * batch * M * K * N.</summary>
    public double Flops => 2.0 * Batch * M * K * N;

    public override string ToString() =>
        (Batch > 1 ? $"{Batch} x " : "") + $"[{M}x{K}]{(TransposeA ? "T" : "")} * [{K}x{N}]{(TransposeB ? "T" : "")}";
}
