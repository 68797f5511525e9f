namespace DataFlow.Trainer.Interop;

/// <summary>
/// Reorders the output rows of a query or key projection between the two rotary layouts. DataFlow (like Hugging Face's
/// rotate_half) rotates channel i of a head with channel i + d/2; llama.cpp's <c>llama</c> architecture (rope type NORM,
/// Meta's original layout) rotates adjacent channels 2i and 2i + 1 by the same angle. Moving row i of each head to 2i
/// and row i + d/2 to 2i + 1 makes llama.cpp rotate exactly the pairs DataFlow rotates, at the same frequency
/// theta^(-2i/d); the attention scores are unchanged because q and k of a head are reordered alike.
/// </summary>
public static class RotaryPairLayout
{
    /// <summary>
    /// <paramref name="weight"/> is row-major [heads * headDim, columns] in rotate-halves order; returns it in
    /// adjacent-pairs order. This is what convert_hf_to_gguf.py's permute does to a Hugging Face q_proj / k_proj.
    /// </summary>
    public static float[] HalvesToAdjacentPairs(ReadOnlySpan<float> weight, int heads, int headDim, int columns)
    {
        if (headDim % 2 != 0) throw new ArgumentException($"rotary head dimension {headDim} is odd");
        if (weight.Length != (long)heads * headDim * columns)
            throw new ArgumentException($"weight of {weight.Length} values is not [{heads} * {headDim}, {columns}]");
        var half = headDim / 2;
        var result = new float[weight.Length];
        for (var h = 0; h < heads; h++)
        {
            for (var i = 0; i < half; i++)
            {
                var first = (h * headDim + i) * columns;          // channel i: first of its rotary pair
                var second = (h * headDim + half + i) * columns;  // channel i + d/2: its partner
                weight.Slice(first, columns).CopyTo(result.AsSpan((h * headDim + 2 * i) * columns, columns));
                weight.Slice(second, columns).CopyTo(result.AsSpan((h * headDim + 2 * i + 1) * columns, columns));
            }
        }
        return result;
    }
}
