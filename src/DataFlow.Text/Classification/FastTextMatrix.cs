namespace DataFlow.Text.Classification;

/// <summary>
/// A fastText parameter matrix (input embeddings or output layer): dense or product-quantized.
/// Dot products sum in index order in single precision, as fastText's C++ does, so that scores match to the bit
/// and a score never lands in a different sigmoid-table cell than fastText's.
/// </summary>
public abstract class FastTextMatrix
{
    public abstract int Rows { get; }

    public abstract int Cols { get; }

    /// <summary>x += row.</summary>
    public abstract void AddRowToVector(Span<float> x, int row);

    /// <summary>x += scale * row.</summary>
    public abstract void AddRowToVector(Span<float> x, int row, float scale);

    /// <summary>row · x, summed in index order.</summary>
    public abstract float DotRow(ReadOnlySpan<float> x, int row);

    /// <summary>Writes the matrix as fastText does (DenseMatrix::save or QuantMatrix::save).</summary>
    public abstract void Write(BinaryWriter writer);
}
