using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DataFlow.Text.Classification;

/// <summary>
/// fastText's product quantizer: a vector of <see cref="Dim"/> floats is cut into sub-vectors of <see cref="SubDim"/>
/// (the last one <see cref="LastSubDim"/> long), each replaced by the one-byte index of one of 256 centroids.
/// </summary>
public sealed class ProductQuantizer
{
    public const int CentroidsPerSubQuantizer = 256;

    private readonly float[] centroids;

    public ProductQuantizer(int dim, int subQuantizers, int subDim, int lastSubDim, float[] centroids)
    {
        if (dim <= 0 || subDim <= 0 || lastSubDim <= 0 || subQuantizers <= 0 || (subQuantizers - 1) * subDim + lastSubDim != dim)
            throw new ArgumentException($"product quantizer shape is inconsistent: dim {dim}, {subQuantizers} sub-quantizers of {subDim}, last {lastSubDim}");
        if (centroids.Length != dim * CentroidsPerSubQuantizer)
            throw new ArgumentException($"product quantizer holds {centroids.Length} centroid values, expected {dim * CentroidsPerSubQuantizer}");
        (Dim, SubQuantizers, SubDim, LastSubDim, this.centroids) = (dim, subQuantizers, subDim, lastSubDim, centroids);
    }

    public int Dim { get; }

    /// <summary>All centroids: sub-quantizer m's centroid c starts at (m * 256 + c) * SubDim (the last one's at m * 256 * SubDim + c * LastSubDim).</summary>
    internal float[] CentroidData => centroids;

    /// <summary>Bytes per code (fastText's nsubq).</summary>
    public int SubQuantizers { get; }

    public int SubDim { get; }

    public int LastSubDim { get; }

    /// <summary>The centroid <paramref name="code"/> of sub-quantizer <paramref name="m"/> (fastText's get_centroids).</summary>
    public ReadOnlySpan<float> Centroid(int m, byte code) => m == SubQuantizers - 1
        ? centroids.AsSpan(m * CentroidsPerSubQuantizer * SubDim + code * LastSubDim, LastSubDim)
        : centroids.AsSpan((m * CentroidsPerSubQuantizer + code) * SubDim, SubDim);

    /// <summary>alpha * (decoded row · x), summed in index order (fastText's mulcode).</summary>
    public float MulCode(ReadOnlySpan<float> x, ReadOnlySpan<byte> code, float alpha)
    {
        var res = 0f;
        for (var m = 0; m < SubQuantizers; m++)
        {
            var c = Centroid(m, code[m]);
            var xs = x.Slice(m * SubDim, c.Length);
            for (var n = 0; n < c.Length; n++) res += xs[n] * c[n];
        }
        return res * alpha;
    }

    /// <summary>x += alpha * decoded row (fastText's addcode).</summary>
    public void AddCode(Span<float> x, ReadOnlySpan<byte> code, float alpha)
    {
        Span<float> decoded = Dim <= 1024 ? stackalloc float[Dim] : new float[Dim];
        Decode(code, decoded);
        AddDecoded(x, decoded, alpha);
    }

    /// <summary>x += alpha * decoded: per element the multiply and add of fastText's addcode (alpha 1 multiplies exactly).</summary>
    internal static void AddDecoded(Span<float> x, ReadOnlySpan<float> decoded, float alpha)
    {
        if (alpha == 1f) DenseMatrix.Add(x[..decoded.Length], decoded);
        else DenseMatrix.AddScaled(x[..decoded.Length], decoded, alpha);
    }

    /// <summary>The row a code stands for: its centroids side by side.</summary>
    public void Decode(ReadOnlySpan<byte> code, Span<float> destination)
    {
        if (destination.Length < Dim || code.Length < SubQuantizers) throw new ArgumentException($"need room for {Dim} values and {SubQuantizers} code bytes");
        ref var cs = ref MemoryMarshal.GetArrayDataReference(centroids);
        if (SubDim == 2 && LastSubDim == 2)
        {
            // fastText's default dsub: each centroid is two floats, copied as one 64-bit word.
            ref var pairs = ref Unsafe.As<float, long>(ref MemoryMarshal.GetReference(destination));
            for (var m = 0; m < SubQuantizers; m++)
                Unsafe.Add(ref pairs, m) = Unsafe.As<float, long>(ref Unsafe.Add(ref cs, (m * CentroidsPerSubQuantizer + code[m]) * 2));
            return;
        }
        for (var m = 0; m < SubQuantizers; m++) Centroid(m, code[m]).CopyTo(destination[(m * SubDim)..]);
    }

    public static ProductQuantizer Read(BinaryReader reader)
    {
        var dim = reader.ReadInt32();
        var nsubq = reader.ReadInt32();
        var dsub = reader.ReadInt32();
        var lastdsub = reader.ReadInt32();
        if (dim <= 0 || dim > 1 << 20) throw new InvalidDataException($"product quantizer dimension {dim} is out of range");
        var values = new float[dim * CentroidsPerSubQuantizer];
        for (var i = 0; i < values.Length; i++) values[i] = reader.ReadSingle();
        try { return new ProductQuantizer(dim, nsubq, dsub, lastdsub, values); }
        catch (ArgumentException e) { throw new InvalidDataException(e.Message, e); }
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Dim);
        writer.Write(SubQuantizers);
        writer.Write(SubDim);
        writer.Write(LastSubDim);
        writer.Write(MemoryMarshal.AsBytes(centroids.AsSpan()));
    }
}
