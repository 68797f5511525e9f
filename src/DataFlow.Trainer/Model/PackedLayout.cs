using static TorchSharp.torch;

namespace DataFlow.Trainer.Model;

/// <summary>
/// Rows that hold several documents back to back (packed SFT rows): <see cref="Positions"/> [B, T] restart at 0 with
/// each document, and <see cref="Mask"/> [B, 1, T, T] (true = may attend) is causal and block-diagonal, so no token
/// sees another document. Segment ids number a row's documents; padding (segment 0) attends only to padding.
/// </summary>
public sealed record PackedLayout(Tensor Positions, Tensor Mask)
{
    /// <summary>The layout of rows given by their segment ids [batch * width], row-major.</summary>
    public static PackedLayout FromSegments(ReadOnlySpan<int> segments, int batch, int width)
    {
        if (segments.Length != batch * width) throw new ArgumentException($"{segments.Length} segment ids for {batch} rows of {width}");
        var positions = new long[segments.Length];
        var ids = new long[segments.Length];
        for (var b = 0; b < batch; b++)
        {
            long position = 0;
            for (var i = 0; i < width; i++)
            {
                var at = b * width + i;
                position = i > 0 && segments[at] == segments[at - 1] ? position + 1 : 0;
                positions[at] = position;
                ids[at] = segments[at];
            }
        }
        using var scope = NewDisposeScope();
        var segment = tensor(ids, [batch, width]);
        var causal = ones(width, width, dtype: ScalarType.Bool).tril();
        var mask = segment.unsqueeze(2).eq(segment.unsqueeze(1)).logical_and(causal).unsqueeze(1);
        return new PackedLayout(tensor(positions, [batch, width]).MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }
}
