namespace DataFlow.Text.Classification;

/// <summary>
/// The C++ standard library's <c>minstd_rand</c> (Park and Miller: x = x * 48271 mod 2^31 - 1), the generator
/// fastText gives each training thread; small, fast, and enough for picking labels and negatives.
/// </summary>
internal sealed class MinimalStandardRandom
{
    private const uint Modulus = 2_147_483_647;
    private uint _state;

    public MinimalStandardRandom(int seed)
    {
        _state = (uint)((uint)seed % Modulus);
        if (_state == 0) _state = 1; // as minstd_rand: a zero seed becomes 1
    }

    public uint Next()
    {
        _state = (uint)((ulong)_state * 48_271 % Modulus);
        return _state;
    }

    /// <summary>A uniform integer in [0, count).</summary>
    public int NextBelow(int count) => (int)((ulong)Next() * (ulong)count / Modulus);
}
