using System.Text;

namespace DataFlow.Trainer.Interop;

/// <summary>
/// One typed GGUF metadata value: a scalar, a string, or an array of one element type. Built only through the factories,
/// so a value always holds what its <see cref="Type"/> says.
/// </summary>
public sealed class GgufValue
{
    private readonly Action<BinaryWriter> _write;

    private GgufValue(GgufValueType type, GgufValueType? elementType, object value, Action<BinaryWriter> write)
    {
        Type = type;
        ElementType = elementType;
        Value = value;
        _write = write;
    }

    public GgufValueType Type { get; }

    /// <summary>The element type of an array, null for scalars and strings.</summary>
    public GgufValueType? ElementType { get; }

    /// <summary>The value as given (uint, int, float, bool, string, or the array's elements).</summary>
    public object Value { get; }

    public static GgufValue UInt32(uint value) => new(GgufValueType.UInt32, null, value, w => w.Write(value));
    public static GgufValue Int32(int value) => new(GgufValueType.Int32, null, value, w => w.Write(value));
    public static GgufValue Float32(float value) => new(GgufValueType.Float32, null, value, w => w.Write(value));
    public static GgufValue Bool(bool value) => new(GgufValueType.Bool, null, value, w => w.Write((byte)(value ? 1 : 0)));
    public static GgufValue String(string value) => new(GgufValueType.String, null, value, w => WriteString(w, value));

    public static GgufValue Strings(IReadOnlyList<string> values) => Array(GgufValueType.String, values, WriteString);
    public static GgufValue Int32s(IReadOnlyList<int> values) => Array(GgufValueType.Int32, values, (w, v) => w.Write(v));
    public static GgufValue Float32s(IReadOnlyList<float> values) => Array(GgufValueType.Float32, values, (w, v) => w.Write(v));

    private static GgufValue Array<T>(GgufValueType elementType, IReadOnlyList<T> values, Action<BinaryWriter, T> writeElement) =>
        new(GgufValueType.Array, elementType, values, w =>
        {
            w.Write((uint)elementType);
            w.Write((ulong)values.Count);
            foreach (var value in values) writeElement(w, value);
        });

    /// <summary>Writes the value's payload (not its type code): what follows the type in a key-value pair.</summary>
    internal void WritePayload(BinaryWriter writer) => _write(writer);

    /// <summary>A GGUF string: uint64 byte length, then UTF-8 bytes without a terminator.</summary>
    internal static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }
}
