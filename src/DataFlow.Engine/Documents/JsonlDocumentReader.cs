using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace DataFlow.Engine.Documents;

/// <summary>
/// Streams documents from JSONL, JSONL.gz or JSONL.zst. Parses each line with Utf8JsonReader straight from bytes;
/// a bad line (broken JSON, invalid UTF-8, missing text field) goes to the reject sink with its line number and
/// the lines around it are kept. A truncated or corrupt compressed stream is rejected at the line where it broke,
/// after every complete line before it has been returned.
/// </summary>
public static class JsonlDocumentReader
{
    public static IEnumerable<Document> Read(string path, ReadOptions options, IRejectSink rejects, Action<double>? onFraction = null)
    {
        var source = options.Source ?? Path.GetFileName(path);
        var stem = DocumentSources.StemOf(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var stream = Decompress(file, path);
        var lines = new LineSplitter(stream);
        var idField = Encoding.UTF8.GetBytes(options.IdField);
        var textField = Encoding.UTF8.GetBytes(options.TextField);
        var metadata = new ArrayBufferWriter<byte>(256);
        var unescaped = new ArrayBufferWriter<byte>(1 << 16);
        long sinceReport = 0;
        while (true)
        {
            ArraySegment<byte> line;
            try
            {
                if (!lines.TryReadLine(out line)) yield break;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ZstdSharp.ZstdException)
            {
                rejects.Reject(new Reject(path, lines.LineNumber + 1, $"compressed stream is truncated or corrupt after line {lines.LineNumber}: {e.Message}"));
                yield break;
            }
            if (++sinceReport == 1024)
            {
                sinceReport = 0;
                onFraction?.Invoke(file.Length == 0 ? 1 : (double)file.Position / file.Length);
            }
            var span = line.AsSpan();
            if (span.Trim((byte)' ').IsEmpty) continue;
            var doc = ParseLine(span, path, lines.LineNumber, idField, textField, options, source, stem, metadata, unescaped, out var problem);
            if (doc is null)
            {
                rejects.Reject(new Reject(path, lines.LineNumber, problem!, Excerpt(span)));
                continue;
            }
            yield return doc;
        }
    }

    private static Stream Decompress(FileStream file, string path)
    {
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
        if (path.EndsWith(".zst", StringComparison.OrdinalIgnoreCase)) return new ZstdSharp.DecompressionStream(file, leaveOpen: true);
        return new NonClosingStream(file);
    }

    private static Document? ParseLine(ReadOnlySpan<byte> line, string path, long lineNumber, byte[] idField, byte[] textField,
        ReadOptions options, string source, string stem, ArrayBufferWriter<byte> metadata, ArrayBufferWriter<byte> unescaped, out string? problem)
    {
        problem = null;
        if (!Utf8.IsValid(line))
        {
            problem = "invalid UTF-8";
            return null;
        }
        string? id = null;
        byte[]? text = null;
        metadata.ResetWrittenCount();
        var metadataFields = 0;
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "line is not a JSON object";
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var nameStart = (int)reader.TokenStartIndex;
                if (reader.ValueTextEquals(textField))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        problem = $"field '{options.TextField}' is not a string";
                        return null;
                    }
                    text = Utf8Value(ref reader, unescaped);
                }
                else if (reader.ValueTextEquals(idField))
                {
                    reader.Read();
                    id = reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString(),
                        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                        _ => null,
                    };
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                    if (!options.KeepMetadata) continue;
                    var end = (int)reader.BytesConsumed;
                    metadata.Write(metadataFields++ == 0 ? "{"u8 : ","u8);
                    metadata.Write(line[nameStart..end]);
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                problem = "trailing data after the JSON object";
                return null;
            }
        }
        catch (JsonException e)
        {
            problem = $"broken JSON: {e.Message.Split(" LineNumber", 2)[0]}";
            return null;
        }
        catch (InvalidOperationException e)
        {
            // A \u escape that is half a surrogate pair: valid JSON syntax, but no valid text.
            problem = $"broken JSON: {e.Message}";
            return null;
        }
        if (text is null)
        {
            problem = $"missing text field '{options.TextField}'";
            return null;
        }
        if (metadataFields > 0) metadata.Write("}"u8);
        return new Document(
            string.IsNullOrEmpty(id) ? $"{stem}:{lineNumber}" : id,
            text,
            source,
            metadataFields > 0 ? Encoding.UTF8.GetString(metadata.WrittenSpan) : "{}")
        {
            Origin = $"{path}:{lineNumber}",
        };
    }

    /// <summary>
    /// The string value as UTF-8, unescaped without a detour through UTF-16: the document keeps these bytes and
    /// a stage that never reads the text writes them out as they are.
    /// </summary>
    private static byte[] Utf8Value(ref Utf8JsonReader reader, ArrayBufferWriter<byte> unescaped)
    {
        if (!reader.ValueIsEscaped) return reader.ValueSpan.ToArray();
        unescaped.ResetWrittenCount();
        var buffer = unescaped.GetSpan(reader.ValueSpan.Length);
        return buffer[..reader.CopyString(buffer)].ToArray();
    }

    private static string Excerpt(ReadOnlySpan<byte> line) =>
        Encoding.UTF8.GetString(line[..Math.Min(line.Length, 200)]);
}
