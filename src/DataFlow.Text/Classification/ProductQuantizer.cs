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

    /// <summary>x += alpha * decoded row (fastText's addcode): the hot loop of quantized prediction, so bounds are checked once.</summary>
    public void AddCode(Span<float> x, ReadOnlySpan<byte> code, float alpha)
    {
        if (x.Length < Dim || code.Length < SubQuantizers) throw new ArgumentException($"need {Dim} values and {SubQuantizers} code bytes");
        ref var xs = ref MemoryMarshal.GetReference(x);
        ref var cs = ref MemoryMarshal.GetArrayDataReference(centroids);
        var d = SubDim;
        var last = SubQuantizers - 1;
        if (d == 2 && LastSubDim == 2 && Dim <= 1024)
        {
            // fastText's default dsub: each centroid is two floats, copied as one 64-bit word into a decoded row,
            // then one vectorised x += alpha * row (per element the same multiply and add as the scalar loop).
            Span<float> decoded = stackalloc float[Dim];
            ref var pairs = ref Unsafe.As<float, long>(ref MemoryMarshal.GetReference(decoded));
            for (var m = 0; m < SubQuantizers; m++)
                Unsafe.Add(ref pairs, m) = Unsafe.As<float, long>(ref Unsafe.Add(ref cs, (m * CentroidsPerSubQuantizer + code[m]) * 2));
            DenseMatrix.AddScaled(x[..Dim], decoded, alpha);
            return;
        }
        for (var m = 0; m < last; m++)
        {
            ref var c = ref Unsafe.Add(ref cs, (m * CentroidsPerSubQuantizer + code[m]) * d);
            ref var xm = ref Unsafe.Add(ref xs, m * d);
            if (d == 2)
            {
                xm += alpha * c;
                Unsafe.Add(ref xm, 1) += alpha * Unsafe.Add(ref c, 1);
            }
            else
            {
                for (var n = 0; n < d; n++) Unsafe.Add(ref xm, n) += alpha * Unsafe.Add(ref c, n);
            }
        }
        ref var cl = ref Unsafe.Add(ref cs, last * CentroidsPerSubQuantizer * d + code[last] * LastSubDim);
        ref var xl = ref Unsafe.Add(ref xs, last * d);
        for (var n = 0; n < LastSubDim; n++) Unsafe.Add(ref xl, n) += alpha * Unsafe.Add(ref cl, n);
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
