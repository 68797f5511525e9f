namespace DataFlow.Text.Classification;

/// <summary>
/// fastText's QuantMatrix (the matrices of .ftz files): each row is a product-quantized code; with norm
/// quantization (-qnorm) rows were normalised before coding and their norms coded by a one-dimensional quantizer.
/// </summary>
public sealed class QuantizedMatrix : FastTextMatrix
{
    private readonly byte[] codes;
    private readonly byte[]? normCodes;

    public QuantizedMatrix(int rows, int cols, byte[] codes, ProductQuantizer quantizer, byte[]? normCodes = null, ProductQuantizer? normQuantizer = null)
    {
        if (quantizer.Dim != cols) throw new ArgumentException($"quantizer dimension {quantizer.Dim} differs from the matrix's {cols} columns");
        if (codes.LongLength != (long)rows * quantizer.SubQuantizers) throw new ArgumentException($"{codes.Length} code bytes for {rows} rows of {quantizer.SubQuantizers}");
        if ((normCodes is null) != (normQuantizer is null)) throw new ArgumentException("norm codes and norm quantizer come together");
        if (normCodes is not null && normCodes.Length != rows) throw new ArgumentException($"{normCodes.Length} norm codes for {rows} rows");
        if (normQuantizer is not null && normQuantizer.Dim != 1) throw new ArgumentException("the norm quantizer must be one-dimensional");
        (Rows, Cols, this.codes, Quantizer, this.normCodes, NormQuantizer) = (rows, cols, codes, quantizer, normCodes, normQuantizer);
    }

    public override int Rows { get; }

    public override int Cols { get; }

    public ProductQuantizer Quantizer { get; }

    /// <summary>The norm quantizer when rows were quantized with -qnorm.</summary>
    public ProductQuantizer? NormQuantizer { get; }

    public bool QuantizedNorms => normCodes is not null;

    private ReadOnlySpan<byte> Code(int row) => codes.AsSpan(row * Quantizer.SubQuantizers, Quantizer.SubQuantizers);

    private float Norm(int row) => normCodes is null ? 1f : NormQuantizer!.Centroid(0, normCodes[row])[0];

    public override void AddRowToVector(Span<float> x, int row) => Quantizer.AddCode(x, Code(row), Norm(row));

    public override void AddRowToVector(Span<float> x, int row, float scale) => Quantizer.AddCode(x, Code(row), scale * Norm(row));

    public override float DotRow(ReadOnlySpan<float> x, int row) => Quantizer.MulCode(x, Code(row), Norm(row));

    public static QuantizedMatrix Read(BinaryReader reader)
    {
        var qnorm = reader.ReadBoolean();
        var m = reader.ReadInt64();
        var n = reader.ReadInt64();
        var codeSize = reader.ReadInt32();
        if (m < 0 || n <= 0 || m > int.MaxValue || n > int.MaxValue || codeSize < 0 || codeSize > Array.MaxLength)
            throw new InvalidDataException($"quantized matrix of {m} x {n} with {codeSize} code bytes is out of range");
        var codes = ReadExactly(reader, (int)codeSize, "quantized matrix codes");
        var pq = ProductQuantizer.Read(reader);
        byte[]? normCodes = null;
        ProductQuantizer? npq = null;
        if (qnorm)
        {
            normCodes = ReadExactly(reader, (int)m, "quantized matrix norm codes");
            npq = ProductQuantizer.Read(reader);
        }
        try { return new QuantizedMatrix((int)m, (int)n, codes, pq, normCodes, npq); }
        catch (ArgumentException e) { throw new InvalidDataException(e.Message, e); }
    }

    private static byte[] ReadExactly(BinaryReader reader, int count, string what)
    {
        var bytes = reader.ReadBytes(count);
        return bytes.Length == count ? bytes : throw new EndOfStreamException($"{what} end after {bytes.Length} of {count} bytes");
    }

    public override void Write(BinaryWriter writer)
    {
        writer.Write(normCodes is not null);
        writer.Write((long)Rows);
        writer.Write((long)Cols);
        writer.Write(codes.Length);
        writer.Write(codes);
        Quantizer.Write(writer);
        if (normCodes is null) return;
        writer.Write(normCodes);
        NormQuantizer!.Write(writer);
    }
}
