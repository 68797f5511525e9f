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
