using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DataFlow.Text.Pii;

/// <summary>
/// Where the scanner's trigger characters ('0'-'9', '@', ':', '+', '-', '_', 'A', 'J') sit in a block of 64 characters,
/// as one bit per character. Triggers are dense in web text (one in ~20 characters), so one vector pass per block
/// whose bits are then walked costs less than a search call per trigger; Vector128 code (SSE2 on x64, the baseline), so
/// the ReadyToRun image holds it precompiled and a short task never runs it unoptimized (a generic SearchValues search
/// is not in the image and ran at tier 0 for most of a task).
/// </summary>
internal static class PiiTriggerMask
{
    public const int BlockChars = 64;

    /// <summary>Bit j set when <c>text[start + j]</c> is a trigger; characters past the end of the text give no bit.</summary>
    public static ulong Block(ReadOnlySpan<char> text, int start)
    {
        int n = text.Length - start;
        if (n >= BlockChars && Vector128.IsHardwareAccelerated)
        {
            ref ushort p = ref Unsafe.As<char, ushort>(ref Unsafe.Add(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(text), start));
            return Sixteen(ref p, 0) | (ulong)Sixteen(ref p, 16) << 16 | (ulong)Sixteen(ref p, 32) << 32 | (ulong)Sixteen(ref p, 48) << 48;
        }
        ulong mask = 0;
        int count = Math.Min(n, BlockChars);
        for (int j = 0; j < count; j++)
            if (IsTrigger(text[start + j])) mask |= 1UL << j;
        return mask;
    }

    public static bool IsTrigger(char c) => (uint)(c - '0') <= 10 || (uint)(c - '@') <= 1 || c is '+' or '-' or '_' or 'J';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Sixteen(ref ushort p, int offset)
    {
        var a = Vector128.LoadUnsafe(ref p, (nuint)offset);
        var b = Vector128.LoadUnsafe(ref p, (nuint)(offset + 8));
        if (Sse2.IsSupported)
        {
            // Saturating pack: a character above U+00FF becomes 0x00 or 0xFF, neither a trigger, so 16 lanes are tested at once.
            var bytes = Sse2.PackUnsignedSaturate(a.AsInt16(), b.AsInt16());
            var digitOrColon = Vector128.LessThanOrEqual(bytes - Vector128.Create((byte)'0'), Vector128.Create((byte)10));
            var atOrA = Vector128.LessThanOrEqual(bytes - Vector128.Create((byte)'@'), Vector128.Create((byte)1));
            var single = Vector128.Equals(bytes, Vector128.Create((byte)'+')) | Vector128.Equals(bytes, Vector128.Create((byte)'-'))
                | Vector128.Equals(bytes, Vector128.Create((byte)'_')) | Vector128.Equals(bytes, Vector128.Create((byte)'J'));
            return Vector128.ExtractMostSignificantBits(digitOrColon | atOrA | single);
        }
        return Vector128.ExtractMostSignificantBits(Vector128.Narrow(Eight(a), Eight(b)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> Eight(Vector128<ushort> v)
    {
        // '0'-'9' and ':' are one range, '@' and 'A' another; unsigned compares after the subtraction.
        var digitOrColon = Vector128.LessThanOrEqual(v - Vector128.Create((ushort)'0'), Vector128.Create((ushort)10));
        var atOrA = Vector128.LessThanOrEqual(v - Vector128.Create((ushort)'@'), Vector128.Create((ushort)1));
        var single = Vector128.Equals(v, Vector128.Create((ushort)'+')) | Vector128.Equals(v, Vector128.Create((ushort)'-'))
            | Vector128.Equals(v, Vector128.Create((ushort)'_')) | Vector128.Equals(v, Vector128.Create((ushort)'J'));
        return digitOrColon | atOrA | single;
    }
}
