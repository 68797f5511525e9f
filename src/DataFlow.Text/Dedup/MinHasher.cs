using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DataFlow.Text.Dedup;

/// <summary>
/// MinHash over 64-bit shingle hashes with 32-bit permutations h_i(x) = mix(a_i*lo(x) + b_i*hi(x) + c_i) mod 2^32
/// (multilinear, then a bijective mixer so the minimum depends on every bit). Lanes are processed 16 or 8 at
/// a time with Vector512/Vector256; a permutation's running minimum stays in a register across all shingles.
/// </summary>
public sealed class MinHasher
{
    private const uint Mix1 = 0x7FEB352D;
    private const uint Mix2 = 0x846CA68B;
    private readonly uint[] _a;
    private readonly uint[] _b;
    private readonly uint[] _c;
    private readonly uint[] _scratch;
    private readonly int _lanes;

    /// <param name="numPerm">Signature length.</param>
    /// <param name="seed">Seed of the coefficients.</param>
    /// <param name="vectorBits">512 or 256 to force a width (tests); 0 picks the widest the CPU accelerates.</param>
    public MinHasher(int numPerm, ulong seed, int vectorBits = 0)
    {
        if (numPerm < 1) throw new ArgumentOutOfRangeException(nameof(numPerm));
        if (vectorBits is not (0 or 256 or 512)) throw new ArgumentOutOfRangeException(nameof(vectorBits));
        NumPerm = numPerm;
        _lanes = vectorBits switch { 512 => 16, 256 => 8, _ => Vector512.IsHardwareAccelerated ? 16 : 8 };
        var padded = (numPerm + _lanes - 1) / _lanes * _lanes;
        _a = new uint[padded];
        _b = new uint[padded];
        _c = new uint[padded];
        _scratch = new uint[padded];
        var state = seed;
        for (var i = 0; i < padded; i++)
        {
            _a[i] = (uint)SplitMix64(ref state) | 1;
            _b[i] = (uint)SplitMix64(ref state) | 1;
            _c[i] = (uint)SplitMix64(ref state);
        }
    }

    public int NumPerm { get; }

    /// <summary>Permutations computed per vector instruction (16 with AVX-512, else 8).</summary>
    public int Lanes => _lanes;

    /// <summary>Writes the NumPerm minima over <paramref name="shingles"/>; an empty set gives all uint.MaxValue.</summary>
    public void Compute(ReadOnlySpan<ulong> shingles, Span<uint> signature)
    {
        if (signature.Length < NumPerm) throw new ArgumentException("signature span too short", nameof(signature));
        if (_lanes == 16) Compute512(shingles);
        else Compute256(shingles);
        _scratch.AsSpan(0, NumPerm).CopyTo(signature);
    }

    /// <summary>The same function one lane at a time: the reference the vector paths are tested against.</summary>
    public void ComputeScalar(ReadOnlySpan<ulong> shingles, Span<uint> signature)
    {
        for (var i = 0; i < NumPerm; i++)
        {
            var min = uint.MaxValue;
            foreach (var x in shingles) min = Math.Min(min, Permute(i, x));
            signature[i] = min;
        }
    }

    private uint Permute(int i, ulong x)
    {
        var v = _a[i] * (uint)x + _b[i] * (uint)(x >> 32) + _c[i];
        v ^= v >> 16;
        v *= Mix1;
        v ^= v >> 15;
        v *= Mix2;
        v ^= v >> 16;
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Compute512(ReadOnlySpan<ulong> shingles)
    {
        if (_a.Length == 112)
        {
            Compute512x7(shingles);
            return;
        }
        ref var a0 = ref MemoryMarshal.GetArrayDataReference(_a);
        ref var b0 = ref MemoryMarshal.GetArrayDataReference(_b);
        ref var c0 = ref MemoryMarshal.GetArrayDataReference(_c);
        ref var out0 = ref MemoryMarshal.GetArrayDataReference(_scratch);
        var m1 = Vector512.Create(Mix1);
        var m2 = Vector512.Create(Mix2);
        for (nuint k = 0; k < (nuint)_a.Length; k += 16)
        {
            var a = Vector512.LoadUnsafe(ref a0, k);
            var b = Vector512.LoadUnsafe(ref b0, k);
            var c = Vector512.LoadUnsafe(ref c0, k);
            var min = Vector512<uint>.AllBitsSet;
            foreach (var x in shingles)
            {
                var v = a * Vector512.Create((uint)x) + b * Vector512.Create((uint)(x >> 32)) + c;
                v ^= Vector512.ShiftRightLogical(v, 16);
                v *= m1;
                v ^= Vector512.ShiftRightLogical(v, 15);
                v *= m2;
                v ^= Vector512.ShiftRightLogical(v, 16);
                min = Vector512.Min(min, v);
            }
            min.StoreUnsafe(ref out0, k);
        }
    }

    /// <summary>
    /// The default 112 permutations (14 bands x 8 rows) as seven Vector512 blocks in one pass over the shingles: the
    /// seven running minima and the coefficients stay in registers (28 of the 32), and each shingle's halves are
    /// broadcast once instead of once per block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Compute512x7(ReadOnlySpan<ulong> shingles)
    {
        ref var a0 = ref MemoryMarshal.GetArrayDataReference(_a);
        ref var b0 = ref MemoryMarshal.GetArrayDataReference(_b);
        ref var c0 = ref MemoryMarshal.GetArrayDataReference(_c);
        var m1 = Vector512.Create(Mix1);
        var m2 = Vector512.Create(Mix2);
        var a = (Vector512.LoadUnsafe(ref a0, 0), Vector512.LoadUnsafe(ref a0, 16), Vector512.LoadUnsafe(ref a0, 32), Vector512.LoadUnsafe(ref a0, 48),
            Vector512.LoadUnsafe(ref a0, 64), Vector512.LoadUnsafe(ref a0, 80), Vector512.LoadUnsafe(ref a0, 96));
        var b = (Vector512.LoadUnsafe(ref b0, 0), Vector512.LoadUnsafe(ref b0, 16), Vector512.LoadUnsafe(ref b0, 32), Vector512.LoadUnsafe(ref b0, 48),
            Vector512.LoadUnsafe(ref b0, 64), Vector512.LoadUnsafe(ref b0, 80), Vector512.LoadUnsafe(ref b0, 96));
        var c = (Vector512.LoadUnsafe(ref c0, 0), Vector512.LoadUnsafe(ref c0, 16), Vector512.LoadUnsafe(ref c0, 32), Vector512.LoadUnsafe(ref c0, 48),
            Vector512.LoadUnsafe(ref c0, 64), Vector512.LoadUnsafe(ref c0, 80), Vector512.LoadUnsafe(ref c0, 96));
        var min0 = Vector512<uint>.AllBitsSet;
        var min1 = min0;
        var min2 = min0;
        var min3 = min0;
        var min4 = min0;
        var min5 = min0;
        var min6 = min0;
        foreach (var x in shingles)
        {
            var lo = Vector512.Create((uint)x);
            var hi = Vector512.Create((uint)(x >> 32));
            min0 = Vector512.Min(min0, Permute(a.Item1, b.Item1, c.Item1, lo, hi, m1, m2));
            min1 = Vector512.Min(min1, Permute(a.Item2, b.Item2, c.Item2, lo, hi, m1, m2));
            min2 = Vector512.Min(min2, Permute(a.Item3, b.Item3, c.Item3, lo, hi, m1, m2));
            min3 = Vector512.Min(min3, Permute(a.Item4, b.Item4, c.Item4, lo, hi, m1, m2));
            min4 = Vector512.Min(min4, Permute(a.Item5, b.Item5, c.Item5, lo, hi, m1, m2));
            min5 = Vector512.Min(min5, Permute(a.Item6, b.Item6, c.Item6, lo, hi, m1, m2));
            min6 = Vector512.Min(min6, Permute(a.Item7, b.Item7, c.Item7, lo, hi, m1, m2));
        }
        ref var out0 = ref MemoryMarshal.GetArrayDataReference(_scratch);
        min0.StoreUnsafe(ref out0, 0);
        min1.StoreUnsafe(ref out0, 16);
        min2.StoreUnsafe(ref out0, 32);
        min3.StoreUnsafe(ref out0, 48);
        min4.StoreUnsafe(ref out0, 64);
        min5.StoreUnsafe(ref out0, 80);
        min6.StoreUnsafe(ref out0, 96);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Permute(Vector512<uint> a, Vector512<uint> b, Vector512<uint> c, Vector512<uint> lo, Vector512<uint> hi,
        Vector512<uint> m1, Vector512<uint> m2)
    {
        var v = a * lo + b * hi + c;
        v ^= Vector512.ShiftRightLogical(v, 16);
        v *= m1;
        v ^= Vector512.ShiftRightLogical(v, 15);
        v *= m2;
        v ^= Vector512.ShiftRightLogical(v, 16);
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Compute256(ReadOnlySpan<ulong> shingles)
    {
        ref var a0 = ref MemoryMarshal.GetArrayDataReference(_a);
        ref var b0 = ref MemoryMarshal.GetArrayDataReference(_b);
        ref var c0 = ref MemoryMarshal.GetArrayDataReference(_c);
        ref var out0 = ref MemoryMarshal.GetArrayDataReference(_scratch);
        var m1 = Vector256.Create(Mix1);
        var m2 = Vector256.Create(Mix2);
        for (nuint k = 0; k < (nuint)_a.Length; k += 8)
        {
            var a = Vector256.LoadUnsafe(ref a0, k);
            var b = Vector256.LoadUnsafe(ref b0, k);
            var c = Vector256.LoadUnsafe(ref c0, k);
            var min = Vector256<uint>.AllBitsSet;
            foreach (var x in shingles)
            {
                var v = a * Vector256.Create((uint)x) + b * Vector256.Create((uint)(x >> 32)) + c;
                v ^= Vector256.ShiftRightLogical(v, 16);
                v *= m1;
                v ^= Vector256.ShiftRightLogical(v, 15);
                v *= m2;
                v ^= Vector256.ShiftRightLogical(v, 16);
                min = Vector256.Min(min, v);
            }
            min.StoreUnsafe(ref out0, k);
        }
    }

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
