using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Interop;

/// <summary>
/// The safetensors format read and written by hand (8-byte little-endian header length, JSON header, raw little-endian
/// data): writing sets <c>__metadata__ {"format": "pt"}</c>, which transformers checks when it loads a file, and reading
/// converts F16 / BF16 to float32 one tensor at a time, so a checkpoint is never held twice in memory.
/// </summary>
public sealed class SafetensorsFile
{
    /// <summary>One tensor's entry in the header: dtype, shape and byte range relative to the data section.</summary>
    public sealed record Entry(string DType, long[] Shape, long Begin, long End);

    private SafetensorsFile(string path, long dataStart, IReadOnlyDictionary<string, Entry> entries)
    {
        Path = path;
        _dataStart = dataStart;
        Entries = entries;
    }

    private readonly long _dataStart;

    public string Path { get; }
    public IReadOnlyDictionary<string, Entry> Entries { get; }

    /// <summary>Bytes <see cref="Write"/> gives a float32 tensor of <paramref name="elements"/> elements.</summary>
    public static long Float32Bytes(long elements) => elements * sizeof(float);

    /// <summary>Writes float32 tensors in the given order (HF and PyTorch do not care about order; readers of the index do not either).</summary>
    public static void Write(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            if (tensor.dtype != ScalarType.Float32) throw new ArgumentException($"{name}: only float32 tensors are written, got {tensor.dtype}");
            var size = Float32Bytes(tensor.numel());
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + size),
            };
            offset += size;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        // The data section starts 8-aligned (the format's recommendation): pad the header with spaces.
        var padded = (headerBytes.Length + 7) / 8 * 8;
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(headerBytes);
            for (var i = headerBytes.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var (_, tensor) in tensors)
            {
                using var cpu = tensor.detach().cpu().contiguous();
                stream.Write(MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()));
            }
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads the header of <paramref name="path"/>; throws naming the file when it is not safetensors.</summary>
    public static SafetensorsFile Open(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.Read(lengthBytes) != 8) throw new InvalidDataException($"{path}: too short for a safetensors file");
        var length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (length == 0 || length > 100_000_000 || (long)length + 8 > stream.Length)
            throw new InvalidDataException($"{path}: header length {length} does not fit a safetensors file of {stream.Length} bytes");
        var headerBytes = new byte[length];
        stream.ReadExactly(headerBytes);
        JsonObject header;
        try { header = JsonNode.Parse(headerBytes) as JsonObject ?? throw new InvalidDataException($"{path}: header is not a JSON object"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: header is not valid JSON ({e.Message})", e); }
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__" || node is not JsonObject entry) continue;
            var offsets = entry["data_offsets"]!.AsArray();
            entries[name] = new Entry(entry["dtype"]!.GetValue<string>(), entry["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray(),
                offsets[0]!.GetValue<long>(), offsets[1]!.GetValue<long>());
        }
        return new SafetensorsFile(path, 8 + (long)length, entries);
    }

    /// <summary>The tensor <paramref name="name"/> as float32 (F32 as stored; F16 and BF16 widened exactly).</summary>
    public Tensor ReadFloat32(string name)
    {
        var entry = Entries[name];
        var elements = entry.Shape.Aggregate(1L, (a, b) => a * b);
        var width = entry.DType switch
        {
            "F32" => 4,
            "F16" or "BF16" => 2,
            _ => throw new NotSupportedException($"{Path}: tensor '{name}' has dtype {entry.DType}; only F32, F16 and BF16 are supported"),
        };
        if (entry.End - entry.Begin != elements * width)
            throw new InvalidDataException($"{Path}: tensor '{name}' spans {entry.End - entry.Begin} bytes, but {entry.DType} [{string.Join(", ", entry.Shape)}] needs {elements * width}");
        var bytes = new byte[entry.End - entry.Begin];
        using (var stream = File.OpenRead(Path))
        {
            stream.Seek(_dataStart + entry.Begin, SeekOrigin.Begin);
            stream.ReadExactly(bytes);
        }
        var values = new float[elements];
        switch (entry.DType)
        {
            case "F32":
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(values);
                break;
            case "F16":
                var halves = MemoryMarshal.Cast<byte, Half>(bytes);
                for (var i = 0; i < values.Length; i++) values[i] = (float)halves[i];
                break;
            default: // BF16: the upper 16 bits of a float32
                var raw = MemoryMarshal.Cast<byte, ushort>(bytes);
                for (var i = 0; i < values.Length; i++) values[i] = BitConverter.Int32BitsToSingle(raw[i] << 16);
                break;
        }
        return tensor(values, entry.Shape);
    }
}
