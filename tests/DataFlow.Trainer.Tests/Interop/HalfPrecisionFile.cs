using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>Writes F16 / BF16 safetensors the way the format specifies, for the import tests (our exporter writes float32 only).</summary>
internal static class HalfPrecisionFile
{
    public static void Write(string path, IReadOnlyList<(string Name, Tensor Value, string DType)> tensors)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        var data = new MemoryStream();
        var two = new byte[2];
        foreach (var (name, value, dtype) in tensors)
        {
            var begin = data.Length;
            var floats = value.contiguous().data<float>().ToArray();
            foreach (var f in floats)
            {
                // BF16 by round-to-nearest-even as torch does; F16 through System.Half (also nearest-even).
                ushort bits = dtype == "BF16" ? Bf16(f) : BitConverter.HalfToUInt16Bits((Half)f);
                BinaryPrimitives.WriteUInt16LittleEndian(two, bits);
                data.Write(two);
            }
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(value.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(begin, data.Length),
            };
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerBytes.Length);
        file.Write(length);
        file.Write(headerBytes);
        data.Position = 0;
        data.CopyTo(file);
    }

    private static ushort Bf16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }
}
