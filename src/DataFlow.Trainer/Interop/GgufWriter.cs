using System.Text;

namespace DataFlow.Trainer.Interop;

/// <summary>
/// Writes the GGUF v3 container (llama.cpp's ggml/docs/gguf.md), knowing nothing of models: little-endian header
/// ("GGUF", version, tensor count, key-value count), typed metadata key-value pairs, tensor infos (name, dimensions
/// innermost first, ggml type, offset), padding to the alignment, then each tensor's bytes at an aligned offset.
/// The alignment is <c>general.alignment</c> when the metadata sets it, else the spec's default of 32.
/// </summary>
public sealed class GgufWriter
{
    public const uint Version = 3;
    public const uint DefaultAlignment = 32;
    public const string AlignmentKey = "general.alignment";

    private sealed record TensorEntry(string Name, long[] Dimensions, GgmlType Type, byte[] Data);

    private readonly List<KeyValuePair<string, GgufValue>> _metadata = [];
    private readonly List<TensorEntry> _tensors = [];

    public IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata => _metadata;

    /// <summary>The tensors added so far: name, dimensions (innermost first) and type.</summary>
    public IReadOnlyList<(string Name, IReadOnlyList<long> Dimensions, GgmlType Type)> Tensors =>
        _tensors.Select(t => (t.Name, (IReadOnlyList<long>)t.Dimensions, t.Type)).ToArray();

    /// <summary>Adds a metadata pair; keys are unique, so a repeat is a bug in the caller.</summary>
    public GgufWriter Add(string key, GgufValue value)
    {
        if (_metadata.Any(p => p.Key == key)) throw new ArgumentException($"GGUF key '{key}' is set twice", nameof(key));
        if (key == AlignmentKey && (value.Value is not uint alignment || !uint.IsPow2(alignment)))
            throw new ArgumentException($"{AlignmentKey} must be a uint32 power of two", nameof(value));
        _metadata.Add(KeyValuePair.Create(key, value));
        return this;
    }

    /// <param name="dimensions">ggml's ne: innermost (contiguous) first, so a PyTorch [rows, columns] matrix is [columns, rows].</param>
    /// <param name="data">The tensor's bytes in <paramref name="type"/>'s encoding (<see cref="GgmlEncoding"/>).</param>
    public GgufWriter AddTensor(string name, IReadOnlyList<long> dimensions, GgmlType type, byte[] data)
    {
        if (_tensors.Any(t => t.Name == name)) throw new ArgumentException($"GGUF tensor '{name}' is added twice", nameof(name));
        // ggml keeps names in a 64-byte buffer with its terminator.
        if (Encoding.UTF8.GetByteCount(name) >= 64) throw new ArgumentException($"GGUF tensor name '{name}' is longer than ggml's 63 bytes", nameof(name));
        if (dimensions.Count is < 1 or > 4) throw new ArgumentException($"tensor '{name}': ggml tensors have 1 to 4 dimensions, got {dimensions.Count}");
        var expected = GgmlEncoding.ByteCount(type, dimensions);
        if (data.Length != expected)
            throw new ArgumentException($"tensor '{name}' [{string.Join(", ", dimensions)}] {type}: {data.Length} bytes, expected {expected}");
        _tensors.Add(new TensorEntry(name, [.. dimensions], type, data));
        return this;
    }

    public uint Alignment => _metadata.FirstOrDefault(p => p.Key == AlignmentKey).Value is { } value ? (uint)value.Value : DefaultAlignment;

    /// <summary>Writes the whole file; the stream need not be seekable.</summary>
    public void WriteTo(Stream stream)
    {
        var alignment = Alignment;
        // Header, metadata and tensor infos go to memory first: their length decides the padding before the data.
        using var head = new MemoryStream();
        using (var writer = new BinaryWriter(head, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write("GGUF"u8);
            writer.Write(Version);
            writer.Write((ulong)_tensors.Count);
            writer.Write((ulong)_metadata.Count);
            foreach (var (key, value) in _metadata)
            {
                GgufValue.WriteString(writer, key);
                writer.Write((uint)value.Type);
                value.WritePayload(writer);
            }
            // Offsets are relative to the start of the data section, each a multiple of the alignment.
            ulong offset = 0;
            foreach (var tensor in _tensors)
            {
                GgufValue.WriteString(writer, tensor.Name);
                writer.Write((uint)tensor.Dimensions.Length);
                foreach (var n in tensor.Dimensions) writer.Write((ulong)n);
                writer.Write((uint)tensor.Type);
                writer.Write(offset);
                offset = Align(offset + (ulong)tensor.Data.Length, alignment);
            }
        }
        head.Position = 0;
        head.CopyTo(stream);
        WriteZeros(stream, Align((ulong)head.Length, alignment) - (ulong)head.Length);
        foreach (var tensor in _tensors)
        {
            stream.Write(tensor.Data);
            // Every tensor, the last one included, is padded, as gguf-py writes it.
            WriteZeros(stream, Align((ulong)tensor.Data.Length, alignment) - (ulong)tensor.Data.Length);
        }
        stream.Flush();
    }

    private static ulong Align(ulong offset, uint alignment) => (offset + alignment - 1) / alignment * alignment;

    private static void WriteZeros(Stream stream, ulong count)
    {
        if (count > 0) stream.Write(new byte[count]);
    }
}
