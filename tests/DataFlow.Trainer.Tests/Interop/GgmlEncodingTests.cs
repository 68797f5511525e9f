using DataFlow.Trainer.Interop;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>Rounding of f16, bf16 and q8_0 against values worked out by hand from the formats' definitions.</summary>
public sealed class GgmlEncodingTests
{
    [Theory]
    [InlineData(1.0f, 0x3C00)]
    [InlineData(-0.0f, 0x8000)]
    [InlineData(65504f, 0x7BFF)]                  // largest half
    [InlineData(65520f, 0x7C00)]                  // halfway to 65536: ties to even (mantissa 0) = infinity
    [InlineData(1.00048828125f, 0x3C00)]          // 1 + 2^-11, halfway between 0x3C00 and 0x3C01: to the even one
    [InlineData(1.00146484375f, 0x3C02)]          // 1 + 3 * 2^-11, halfway between 0x3C01 and 0x3C02: to the even one
    [InlineData(1.0005f, 0x3C01)]                 // just above the half: up
    [InlineData(5.9604644775390625e-8f, 0x0001)]  // 2^-24, the smallest subnormal
    [InlineData(2.98023223876953125e-8f, 0x0000)] // 2^-25, halfway between 0 and 2^-24: to even (0)
    [InlineData(4.470348358154297e-8f, 0x0001)]   // 0.75 * 2^-24: up
    public void F16_rounds_to_nearest_even(float value, int bits) => Assert.Equal((ushort)bits, GgmlEncoding.ToF16(value));

    [Theory]
    [InlineData(0x3F800000u, 0x3F80)] // 1.0
    [InlineData(0x3F808000u, 0x3F80)] // halfway, kept bit even: down
    [InlineData(0x3F818000u, 0x3F82)] // halfway, kept bit odd: up to even
    [InlineData(0x3F808001u, 0x3F81)] // above halfway: up
    [InlineData(0x3F807FFFu, 0x3F80)] // below halfway: down
    [InlineData(0xBF818000u, 0xBF82)] // sign does not change the rule
    [InlineData(0x7F7FFFFFu, 0x7F80)] // float max rounds to infinity, as ggml's formula does
    [InlineData(0x7FC00001u, 0x7FC0)] // quiet NaN stays NaN
    [InlineData(0x7F800001u, 0x7FC0)] // signalling NaN made quiet (bit 6 of the bf16), not rounded into infinity
    public void Bf16_rounds_like_ggml(uint floatBits, int bits) =>
        Assert.Equal((ushort)bits, GgmlEncoding.ToBf16(BitConverter.UInt32BitsToSingle(floatBits)));

    [Fact]
    public void Q8_0_blocks_hold_an_f16_scale_and_rounded_quants()
    {
        // Block 1: max |x| = 127 -> d = 1 (f16 0x3C00); quants round half away from zero: 2.5 -> 3, -2.5 -> -3, -1.5 -> -2.
        // Block 2: all zero -> d = 0, quants 0. Block 3: max |x| = 254 -> d = 2 (0x4000); 3 -> 1.5 -> 2, -3 -> -2, 1 -> 0.5 -> 1, -254 -> -127.
        var values = new float[96];
        float[] first = [127f, 2.5f, -2.5f, -1.5f, 0.49f, -0.5f];
        first.CopyTo(values, 0);
        float[] third = [3f, -3f, 1f, -254f, 100f];
        third.CopyTo(values, 64);
        var bytes = GgmlEncoding.Encode(values, GgmlType.Q8_0, 32);
        Assert.Equal(3 * 34, bytes.Length);
        Assert.Equal(new byte[] { 0x00, 0x3C }, bytes[0..2]);
        Assert.Equal(new sbyte[] { 127, 3, -3, -2, 0, -1, 0 }, bytes[2..9].Select(b => (sbyte)b));
        Assert.All(bytes[34..68], b => Assert.Equal(0, b));
        Assert.Equal(new byte[] { 0x00, 0x40 }, bytes[68..70]);
        Assert.Equal(new sbyte[] { 2, -2, 1, -127, 50, 0 }, bytes[70..76].Select(b => (sbyte)b));
    }

    [Fact]
    public void Q8_0_needs_whole_blocks_per_row()
    {
        Assert.True(GgmlEncoding.Fits(GgmlType.Q8_0, 64));
        Assert.False(GgmlEncoding.Fits(GgmlType.Q8_0, 48));
        Assert.True(GgmlEncoding.Fits(GgmlType.F16, 48));
        Assert.Equal(2 * 34L, GgmlEncoding.ByteCount(GgmlType.Q8_0, [32, 2]));
        Assert.Throws<ArgumentException>(() => GgmlEncoding.Encode(new float[96], GgmlType.Q8_0, 48));
    }
}
