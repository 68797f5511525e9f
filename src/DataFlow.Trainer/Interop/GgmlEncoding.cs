using System.Buffers.Binary;

namespace DataFlow.Trainer.Interop;

/// <summary>
/// Pure kernels that turn float32 values into the bytes of a ggml tensor type, rounding as ggml itself does, so a file
/// written here holds what llama.cpp's own converter would have written for the same weights.
/// </summary>
public static class GgmlEncoding
{
    /// <summary>Values per q8_0 block (ggml's QK8_0): one f16 scale, then 32 int8 quants.</summary>
    public const int Q8BlockSize = 32;
    public const int Q8BlockBytes = 2 + Q8BlockSize;

    /// <summary>Whether a tensor whose innermost dimension is <paramref name="rowLength"/> can be stored as <paramref name="type"/> (q8_0 needs whole blocks per row).</summary>
    public static bool Fits(GgmlType type, long rowLength) => type != GgmlType.Q8_0 || rowLength % Q8BlockSize == 0;

    /// <summary>Bytes of a tensor of <paramref name="dimensions"/> (innermost first) stored as <paramref name="type"/>.</summary>
    public static long ByteCount(GgmlType type, IReadOnlyList<long> dimensions)
    {
        var count = dimensions.Aggregate(1L, (a, n) => a * n);
        return type switch
        {
            GgmlType.F32 => count * 4,
            GgmlType.F16 or GgmlType.BF16 => count * 2,
            GgmlType.Q8_0 when Fits(type, dimensions[0]) => count / Q8BlockSize * Q8BlockBytes,
            GgmlType.Q8_0 => throw new ArgumentException($"q8_0 needs rows of a multiple of {Q8BlockSize} values, got {dimensions[0]}"),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unsupported ggml type"),
        };
    }

    /// <summary>Encodes <paramref name="values"/> (row-major, rows of <paramref name="rowLength"/>) as <paramref name="type"/>.</summary>
    public static byte[] Encode(ReadOnlySpan<float> values, GgmlType type, long rowLength)
    {
        switch (type)
        {
            case GgmlType.F32:
            {
                var bytes = new byte[values.Length * 4];
                for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
                return bytes;
            }
            case GgmlType.F16:
            case GgmlType.BF16:
            {
                var bytes = new byte[values.Length * 2];
                for (var i = 0; i < values.Length; i++)
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), type == GgmlType.F16 ? ToF16(values[i]) : ToBf16(values[i]));
                return bytes;
            }
            case GgmlType.Q8_0:
            {
                if (!Fits(type, rowLength) || values.Length % rowLength != 0)
                    throw new ArgumentException($"q8_0 needs rows of a multiple of {Q8BlockSize} values, got rows of {rowLength}");
                var bytes = new byte[values.Length / Q8BlockSize * Q8BlockBytes];
                for (var b = 0; b < values.Length / Q8BlockSize; b++)
                    QuantizeQ8Block(values.Slice(b * Q8BlockSize, Q8BlockSize), bytes.AsSpan(b * Q8BlockBytes, Q8BlockBytes));
                return bytes;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unsupported ggml type");
        }
    }

    /// <summary>IEEE 754 half-precision bits, rounded to nearest, ties to even (as ggml's F16C / software path).</summary>
    public static ushort ToF16(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>
    /// bfloat16 bits the way ggml rounds them (<c>ggml_compute_fp32_to_bf16</c>): the top half of the float32 after adding
    /// 0x7FFF plus the lowest kept bit (round to nearest, ties to even); a NaN stays a NaN, made quiet.
    /// </summary>
    public static ushort ToBf16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) return (ushort)((bits >> 16) | 64);
        return (ushort)((bits + (0x7FFF + ((bits >> 16) & 1))) >> 16);
    }

    /// <summary>
    /// One q8_0 block as llama.cpp's converter (gguf-py) writes it: scale d = max|x| / 127 stored as f16, quants
    /// round(x * (1 / d)) in float32 with halves away from zero (C's roundf; gguf-py is bit-exact with ggml's reference
    /// quantizer); an all-zero block has d = 0 and zero quants.
    /// </summary>
    public static void QuantizeQ8Block(ReadOnlySpan<float> block, Span<byte> output)
    {
        if (block.Length != Q8BlockSize || output.Length != Q8BlockBytes) throw new ArgumentException("q8_0 block: 32 values into 34 bytes");
        var amax = 0f;
        foreach (var x in block) amax = MathF.Max(amax, MathF.Abs(x));
        var d = amax / 127f;
        var inverse = d != 0 ? 1f / d : 0f;
        BinaryPrimitives.WriteUInt16LittleEndian(output, ToF16(d));
        for (var j = 0; j < Q8BlockSize; j++) output[2 + j] = (byte)(sbyte)MathF.Round(block[j] * inverse, MidpointRounding.AwayFromZero);
    }

    /// <summary>The float32 a half-precision value stands for (to measure what f16 and q8_0 scales lose).</summary>
    public static float FromF16(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    public static float FromBf16(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);
}
