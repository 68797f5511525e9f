using System.Numerics;
using System.Runtime.InteropServices;

namespace DataFlow.Text.Classification;

/// <summary>A rows x cols float matrix, row-major, as fastText's DenseMatrix (int64 rows, int64 cols, floats).</summary>
public sealed class DenseMatrix : FastTextMatrix
{
    private readonly float[] data;
    private readonly int rows;
    private readonly int cols;

    public DenseMatrix(int rows, int cols) : this(rows, cols, new float[checked((long)rows * cols)]) { }

    public DenseMatrix(int rows, int cols, float[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if (data.LongLength != (long)rows * cols) throw new ArgumentException($"data holds {data.LongLength} floats, expected {rows} x {cols}", nameof(data));
        (this.rows, this.cols, this.data) = (rows, cols, data);
    }

    public override int Rows => rows;

    public override int Cols => cols;

    /// <summary>All values, row-major.</summary>
    public float[] Data => data;

    public Span<float> Row(int row) => data.AsSpan(checked(row * cols), cols);

    public override void AddRowToVector(Span<float> x, int row) => Add(x, Row(row));

    public override void AddRowToVector(Span<float> x, int row, float scale) => AddScaled(x, Row(row), scale);

    /// <summary>row += scale * x (the training update).</summary>
    public void AddVectorToRow(ReadOnlySpan<float> x, int row, float scale) => AddScaled(Row(row), x, scale);

    public override float DotRow(ReadOnlySpan<float> x, int row)
    {
        var r = Row(row);
        var d = 0f;
        for (var j = 0; j < r.Length; j++) d += r[j] * x[j];
        return d;
    }

    /// <summary>x · y over SIMD lanes: for training, where (unlike prediction) the order of the sum does not matter.</summary>
    internal static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var j = 0;
        var sum = 0f;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            var yv = MemoryMarshal.Cast<float, Vector<float>>(y[..x.Length]);
            var acc = Vector<float>.Zero;
            for (var v = 0; v < xv.Length; v++) acc += xv[v] * yv[v];
            sum = Vector.Sum(acc);
            j = xv.Length * Vector<float>.Count;
        }
        for (; j < x.Length; j++) sum += x[j] * y[j];
        return sum;
    }

    /// <summary>x += y, element-wise (each element's sum is the same as a scalar loop's).</summary>
    internal static void Add(Span<float> x, ReadOnlySpan<float> y)
    {
        var j = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            var yv = MemoryMarshal.Cast<float, Vector<float>>(y[..x.Length]);
            for (var v = 0; v < xv.Length; v++) xv[v] += yv[v];
            j = xv.Length * Vector<float>.Count;
        }
        for (; j < x.Length; j++) x[j] += y[j];
    }

    /// <summary>x += a * y, element-wise, multiply then add (no fused multiply-add: fastText's build has none).</summary>
    internal static void AddScaled(Span<float> x, ReadOnlySpan<float> y, float a)
    {
        var j = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            var yv = MemoryMarshal.Cast<float, Vector<float>>(y[..x.Length]);
            var av = new Vector<float>(a);
            for (var v = 0; v < xv.Length; v++) xv[v] += av * yv[v];
            j = xv.Length * Vector<float>.Count;
        }
        for (; j < x.Length; j++) x[j] += a * y[j];
    }

    public static DenseMatrix Read(BinaryReader reader)
    {
        var m = reader.ReadInt64();
        var n = reader.ReadInt64();
        if (m < 0 || n < 0 || m > int.MaxValue || n > int.MaxValue || m * n > Array.MaxLength)
            throw new InvalidDataException($"dense matrix of {m} x {n} is out of range");
        var values = new float[m * n];
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        var read = 0;
        while (read < bytes.Length)
        {
            var got = reader.BaseStream.Read(bytes[read..]);
            if (got == 0) throw new EndOfStreamException($"dense matrix of {m} x {n} ends after {read} of {bytes.Length} bytes");
            read += got;
        }
        return new DenseMatrix((int)m, (int)n, values);
    }

    public override void Write(BinaryWriter writer)
    {
        writer.Write((long)rows);
        writer.Write((long)cols);
        writer.Write(MemoryMarshal.AsBytes(data.AsSpan()));
    }
}
