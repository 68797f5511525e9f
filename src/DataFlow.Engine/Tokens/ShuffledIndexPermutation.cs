namespace DataFlow.Engine.Tokens;

/// <summary>
/// A keyed pseudo-random bijection of [0, count): a balanced Feistel network over the next even power of two,
/// cycle-walked back into range. O(1) memory and random access, so an epoch order over billions of rows
/// needs no permutation array and any position can be resumed directly.
/// </summary>
public sealed class ShuffledIndexPermutation
{
    private const int Rounds = 6;
    private readonly ulong[] _roundKeys = new ulong[Rounds];
    private readonly int _halfBits;
    private readonly ulong _halfMask;

    public ShuffledIndexPermutation(long count, ulong key)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Count = count;
        var bits = 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)Math.Max(1, count - 1));
        _halfBits = Math.Max(1, (bits + 1) / 2);
        _halfMask = (1UL << _halfBits) - 1;
        var state = key;
        for (var r = 0; r < Rounds; r++) _roundKeys[r] = SplitMix64(ref state);
    }

    public long Count { get; }

    /// <summary>The element at position <paramref name="index"/> of the shuffled order.</summary>
    public long this[long index]
    {
        get
        {
            if ((ulong)index >= (ulong)Count) throw new ArgumentOutOfRangeException(nameof(index));
            var x = (ulong)index;
            // The domain is at most 4x the count, so this loop runs about twice on average.
            do x = Encrypt(x); while (x >= (ulong)Count);
            return (long)x;
        }
    }

    private ulong Encrypt(ulong x)
    {
        var left = x >> _halfBits;
        var right = x & _halfMask;
        for (var r = 0; r < Rounds; r++)
        {
            var next = left ^ (Mix(right ^ _roundKeys[r]) & _halfMask);
            left = right;
            right = next;
        }
        return (left << _halfBits) | right;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
