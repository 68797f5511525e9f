using DataFlow.Trainer.Interop;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>The container layout against gguf.md, byte for byte, on a file small enough to write out by hand.</summary>
public sealed class GgufWriterTests
{
    [Fact]
    public void Tiny_file_has_the_bytes_the_spec_prescribes()
    {
        var writer = new GgufWriter()
            .Add("a", GgufValue.String("hi"))
            .Add("b", GgufValue.Int32s([1, -1]))
            .AddTensor("t", [2], GgmlType.F32, GgmlEncoding.Encode([1.0f, -2.5f], GgmlType.F32, 2))
            .AddTensor("u", [3], GgmlType.F16, GgmlEncoding.Encode([1.0f, -2.0f, 0.5f], GgmlType.F16, 3));
        using var stream = new MemoryStream();
        writer.WriteTo(stream);

        var expected = Hex(
            "47 47 55 46",                 // magic "GGUF"
            "03 00 00 00",                 // version 3
            "02 00 00 00 00 00 00 00",     // tensor_count 2
            "02 00 00 00 00 00 00 00",     // metadata_kv_count 2
            // key "a": uint64 length 1, 'a'; type 8 (string); value: uint64 length 2, "hi"            -> 23 bytes, at 24
            "01 00 00 00 00 00 00 00 61", "08 00 00 00", "02 00 00 00 00 00 00 00 68 69",
            // key "b"; type 9 (array); element type 5 (int32); uint64 count 2; 1, -1                 -> 33 bytes, at 47
            "01 00 00 00 00 00 00 00 62", "09 00 00 00", "05 00 00 00", "02 00 00 00 00 00 00 00", "01 00 00 00 FF FF FF FF",
            // tensor "t": name, n_dims 1, ne[0] = 2, type 0 (F32), offset 0                          -> 33 bytes, at 80
            "01 00 00 00 00 00 00 00 74", "01 00 00 00", "02 00 00 00 00 00 00 00", "00 00 00 00", "00 00 00 00 00 00 00 00",
            // tensor "u": ne[0] = 3, type 1 (F16), offset 32 (t's 8 bytes padded to the alignment)   -> 33 bytes, at 113
            "01 00 00 00 00 00 00 00 75", "01 00 00 00", "03 00 00 00 00 00 00 00", "01 00 00 00", "20 00 00 00 00 00 00 00",
            Zeros(160 - 146),              // pad the 146 header bytes to 160 (alignment 32): data starts here
            "00 00 80 3F 00 00 20 C0",     // t: 1.0f, -2.5f
            Zeros(24),                     // to offset 32
            "00 3C 00 C0 00 38",           // u: half 1.0, -2.0, 0.5
            Zeros(26));                    // every tensor padded, the last one too
        Assert.Equal(expected, stream.ToArray());
        Assert.Equal(224, expected.Length);
    }

    [Fact]
    public void General_alignment_sets_the_padding()
    {
        var writer = new GgufWriter()
            .Add(GgufWriter.AlignmentKey, GgufValue.UInt32(64))
            .AddTensor("t", [1], GgmlType.F32, GgmlEncoding.Encode([3f], GgmlType.F32, 1));
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        // 24 header + key (8 + 17) + type 4 + value 4 = 57; tensor info 8 + 1 + 4 + 8 + 4 + 8 = 33 -> 90, padded to 128.
        var bytes = stream.ToArray();
        Assert.Equal(128 + 64, bytes.Length);
        Assert.Equal(3f, BitConverter.ToSingle(bytes, 128));
        Assert.All(bytes[90..128], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Mistakes_are_refused()
    {
        var writer = new GgufWriter().Add("k", GgufValue.Bool(true));
        Assert.Throws<ArgumentException>(() => writer.Add("k", GgufValue.Bool(false)));
        Assert.Throws<ArgumentException>(() => writer.Add(GgufWriter.AlignmentKey, GgufValue.UInt32(48)));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("t", [4], GgmlType.F32, new byte[12]));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("q", [48, 2], GgmlType.Q8_0, new byte[96]));
    }

    private static byte[] Hex(params string[] parts) =>
        string.Join(' ', parts).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(h => Convert.ToByte(h, 16)).ToArray();

    private static string Zeros(int count) => string.Join(' ', Enumerable.Repeat("00", count));
}
