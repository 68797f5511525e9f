using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace DataFlow.Text.Dedup;

/// <summary>Cuts a MinHash signature into bands of rows and hashes each band to 64 bits (the LSH bucket key).</summary>
public static class LshBands
{
    public static ulong BandHash(ReadOnlySpan<uint> signature, int band, int rows) =>
        XxHash3.HashToUInt64(MemoryMarshal.AsBytes(signature.Slice(band * rows, rows)), band);

    /// <summary>Fraction of equal positions: the MinHash estimate of Jaccard similarity.</summary>
    public static double EstimatedJaccard(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b)
    {
        var equal = 0;
        for (var i = 0; i < a.Length; i++)
            if (a[i] == b[i]) equal++;
        return (double)equal / a.Length;
    }
}
