using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace DataFlow.Engine.Documents;

/// <summary>
/// Turns one JSONL line (a JSON object) into a document, or says what is wrong with it. The top level is scanned
/// here so that a string value is found and unescaped into UTF-8 in one vectorized pass (Utf8JsonReader walks an
/// escaped string byte by byte and CopyString walks it again: half the cost of ingesting escape-dense text); every
/// other value is validated and skipped by Utf8JsonReader.
/// </summary>
internal sealed class JsonlLineParser(ReadOptions options, string path, string source, string stem)
{
    private static readonly JsonReaderOptions ValueOptions = new() { MaxDepth = 256 };

    private readonly byte[] _idField = Encoding.UTF8.GetBytes(options.IdField);
    private readonly byte[] _textField = Encoding.UTF8.GetBytes(options.TextField);
    private readonly ArrayBufferWriter<byte> _metadata = new(256);
    private byte[] _unescaped = new byte[1 << 16];

    public Document? Parse(ReadOnlySpan<byte> line, long lineNumber, out string? problem)
    {
        problem = null;
        if (!Utf8.IsValid(line))
        {
            problem = "invalid UTF-8";
            return null;
        }
        var pos = SkipWhitespace(line, 0);
        if (pos == line.Length || line[pos] != (byte)'{')
        {
            problem = "line is not a JSON object";
            return null;
        }
        string? id = null;
        byte[]? text = null;
        _metadata.ResetWrittenCount();
        var metadataFields = 0;
        try
        {
            pos = SkipWhitespace(line, pos + 1);
            if (At(line, pos) == (byte)'}') pos++;
            else
            {
                while (true)
                {
                    if (At(line, pos) != (byte)'"') throw new JsonException($"expected a property name at byte {pos}");
                    var nameStart = pos;
                    pos = ReadString(line, pos, out var name);
                    var isText = name.SequenceEqual(_textField);
                    var isId = !isText && name.SequenceEqual(_idField);
                    pos = SkipWhitespace(line, pos);
                    if (At(line, pos) != (byte)':') throw new JsonException($"expected ':' at byte {pos}");
                    pos = SkipWhitespace(line, pos + 1);
                    if (isText)
                    {
                        if (At(line, pos) != (byte)'"')
                        {
                            SkipValue(line, pos, out _); // a broken value is reported as broken JSON, not as a wrong type
                            problem = $"field '{options.TextField}' is not a string";
                            return null;
                        }
                        pos = ReadString(line, pos, out var value);
                        text = GC.AllocateUninitializedArray<byte>(value.Length); // every byte is written next
                        value.CopyTo(text);
                    }
                    else if (isId && At(line, pos) == (byte)'"')
                    {
                        pos = ReadString(line, pos, out var value);
                        id = Encoding.UTF8.GetString(value);
                    }
                    else
                    {
                        var valueStart = pos;
                        pos = SkipValue(line, pos, out var type);
                        if (isId) id = type == JsonTokenType.Number ? Encoding.UTF8.GetString(line[valueStart..pos]) : null;
                        else if (options.KeepMetadata)
                        {
                            _metadata.Write(metadataFields++ == 0 ? "{"u8 : ","u8);
                            _metadata.Write(line[nameStart..pos]);
                        }
                    }
                    pos = SkipWhitespace(line, pos);
                    var next = At(line, pos++);
                    if (next == (byte)'}') break;
                    if (next != (byte)',') throw new JsonException($"expected ',' or '}}' at byte {pos - 1}");
                    pos = SkipWhitespace(line, pos);
                }
            }
        }
        catch (JsonException e)
        {
            problem = $"broken JSON: {e.Message.Split(" LineNumber", 2)[0]}";
            return null;
        }
        if (SkipWhitespace(line, pos) != line.Length)
        {
            problem = "trailing data after the JSON object";
            return null;
        }
        if (text is null)
        {
            problem = $"missing text field '{options.TextField}'";
            return null;
        }
        if (metadataFields > 0) _metadata.Write("}"u8);
        var doc = new Document(
            string.IsNullOrEmpty(id) ? $"{stem}:{lineNumber}" : id,
            text,
            source,
            metadataFields > 0 ? Encoding.UTF8.GetString(_metadata.WrittenSpan) : "{}");
        doc.SetOrigin(path, ":", lineNumber);
        return doc;
    }

    /// <summary>
    /// Reads the string whose opening quote is at <paramref name="quote"/>; returns the index after its closing quote.
    /// The value is a slice of the line when it has no escapes, else unescaped into a reused buffer (valid until the
    /// next call); unescaping never makes a string longer, so the buffer is sized once per string.
    /// Compiled fully optimized when first called (never precompiled nor quick-jitted): the scan is vectorized and
    /// runs once per escape, so the start-up tier would cost a whole process more than its JIT (issue 22).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ReadString(ReadOnlySpan<byte> line, int quote, out ReadOnlySpan<byte> value)
    {
        var pos = quote + 1;
        var run = IndexOfStringSpecial(line[pos..]);
        if (run >= 0 && line[pos + run] == (byte)'"')
        {
            value = line.Slice(pos, run);
            return pos + run + 1;
        }
        if (_unescaped.Length < line.Length - pos) _unescaped = new byte[Math.Max(line.Length - pos, 2 * _unescaped.Length)];
        var written = 0;
        while (true)
        {
            if (run < 0) throw new JsonException($"unterminated string starting at byte {quote}");
            line.Slice(pos, run).CopyTo(_unescaped.AsSpan(written));
            written += run;
            pos += run;
            var special = line[pos];
            if (special == (byte)'"')
            {
                value = _unescaped.AsSpan(0, written);
                return pos + 1;
            }
            if (special != (byte)'\\') throw new JsonException($"control character 0x{special:X2} in a string at byte {pos}");
            pos = Unescape(line, pos, ref written);
            run = IndexOfStringSpecial(line[pos..]);
        }
    }

    /// <summary>
    /// Index of the first byte that ends a run of plain string bytes: the closing quote, a backslash, or a control
    /// byte (below 0x20, invalid in a JSON string); -1 if none. SearchValues' generic searcher did this, but its
    /// instantiation is neither precompiled nor inlined, so a short process ran it quick-jitted, once per escape.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int IndexOfStringSpecial(ReadOnlySpan<byte> span)
    {
        ref var start = ref MemoryMarshal.GetReference(span);
        var length = span.Length;
        var i = 0;
        if (Vector256.IsHardwareAccelerated && length >= Vector256<byte>.Count)
        {
            var quote = Vector256.Create((byte)'"');
            var backslash = Vector256.Create((byte)'\\');
            var controlBits = Vector256.Create((byte)0xE0); // a byte below 0x20 has none of these set
            for (; i <= length - Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                var v = Vector256.LoadUnsafe(ref start, (nuint)i);
                var hits = Vector256.Equals(v, quote) | Vector256.Equals(v, backslash) | Vector256.Equals(v & controlBits, Vector256<byte>.Zero);
                if (hits != Vector256<byte>.Zero) return i + BitOperations.TrailingZeroCount(hits.ExtractMostSignificantBits());
            }
        }
        if (Vector128.IsHardwareAccelerated && length - i >= Vector128<byte>.Count)
        {
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            var controlBits = Vector128.Create((byte)0xE0);
            for (; i <= length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var v = Vector128.LoadUnsafe(ref start, (nuint)i);
                var hits = Vector128.Equals(v, quote) | Vector128.Equals(v, backslash) | Vector128.Equals(v & controlBits, Vector128<byte>.Zero);
                if (hits != Vector128<byte>.Zero) return i + BitOperations.TrailingZeroCount(hits.ExtractMostSignificantBits());
            }
        }
        for (; i < length; i++)
        {
            var b = Unsafe.Add(ref start, i);
            if (b is (byte)'"' or (byte)'\\' or < 0x20) return i;
        }
        return -1;
    }

    /// <summary>Decodes the escape at <paramref name="backslash"/> into the buffer; returns the index after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Unescape(ReadOnlySpan<byte> line, int backslash, ref int written)
    {
        var kind = At(line, backslash + 1);
        var simple = kind switch
        {
            (byte)'"' => (byte)'"',
            (byte)'\\' => (byte)'\\',
            (byte)'/' => (byte)'/',
            (byte)'b' => (byte)'\b',
            (byte)'f' => (byte)'\f',
            (byte)'n' => (byte)'\n',
            (byte)'r' => (byte)'\r',
            (byte)'t' => (byte)'\t',
            _ => (byte)0,
        };
        if (simple != 0)
        {
            _unescaped[written++] = simple;
            return backslash + 2;
        }
        if (kind != (byte)'u') throw new JsonException($"invalid escape at byte {backslash}");
        var unit = Hex4(line, backslash + 2);
        var end = backslash + 6;
        int scalar = unit;
        if (char.IsHighSurrogate((char)unit) && At(line, end) == (byte)'\\' && At(line, end + 1) == (byte)'u'
            && Hex4(line, end + 2) is var low && char.IsLowSurrogate((char)low))
        {
            scalar = char.ConvertToUtf32((char)unit, (char)low);
            end += 6;
        }
        else if (char.IsSurrogate((char)unit))
        {
            throw new JsonException($"\\u escape at byte {backslash} is half a surrogate pair");
        }
        written += new Rune(scalar).EncodeToUtf8(_unescaped.AsSpan(written));
        return end;
    }

    private static int Hex4(ReadOnlySpan<byte> line, int start)
    {
        if (start + 4 > line.Length) throw new JsonException($"incomplete \\u escape at byte {start - 2}");
        var value = 0;
        for (var i = start; i < start + 4; i++)
        {
            var digit = HexValue(line[i]);
            if (digit < 0) throw new JsonException($"invalid \\u escape at byte {start - 2}");
            value = value * 16 + digit;
        }
        return value;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>Validates the value at <paramref name="start"/> (nested or not) and returns the index after it.</summary>
    private static int SkipValue(ReadOnlySpan<byte> line, int start, out JsonTokenType type)
    {
        var reader = new Utf8JsonReader(line[start..], ValueOptions);
        if (!reader.Read()) throw new JsonException($"expected a value at byte {start}");
        type = reader.TokenType;
        reader.Skip();
        return start + (int)reader.BytesConsumed;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> line, int pos)
    {
        while (pos < line.Length && line[pos] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') pos++;
        return pos;
    }

    /// <summary>The byte at <paramref name="pos"/>, or 0 past the end (never valid where a caller looks for a token).</summary>
    private static byte At(ReadOnlySpan<byte> line, int pos) => pos < line.Length ? line[pos] : (byte)0;
}
