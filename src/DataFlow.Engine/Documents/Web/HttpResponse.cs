using System.IO.Compression;
using System.Text;

namespace DataFlow.Engine.Documents.Web;

/// <summary>
/// An HTTP/1.x response as a crawler stored it (a WARC <c>response</c> block): status, headers, and the body with
/// chunked transfer coding removed and gzip / deflate / br content coding undone.
/// </summary>
public sealed class HttpResponse
{
    public int Status { get; private init; }
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
    public byte[] Body { get; private init; } = [];
    public string? ContentType => Headers.GetValueOrDefault("Content-Type");

    /// <summary>Parses a stored response; a malformed one throws <see cref="InvalidDataException"/> naming what is wrong.</summary>
    public static HttpResponse Parse(byte[] block)
    {
        var span = block.AsSpan();
        var headerEnd = FindHeaderEnd(span, out var separator);
        if (headerEnd < 0) throw new InvalidDataException("HTTP headers do not end (no empty line)");
        var lines = Encoding.Latin1.GetString(span[..headerEnd]).Split('\n');
        var statusLine = lines[0].TrimEnd('\r');
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(parts[1], out var status))
            throw new InvalidDataException($"bad HTTP status line '{(statusLine.Length > 60 ? statusLine[..60] : statusLine)}'");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in lines.Skip(1))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':');
            if (colon <= 0) continue; // tolerated, as browsers do
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var prev) ? prev + ", " + value : value;
        }
        var body = block[(headerEnd + separator)..];
        if (headers.GetValueOrDefault("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
            body = Dechunk(body);
        body = Decode(body, headers.GetValueOrDefault("Content-Encoding"));
        var response = new HttpResponse { Status = status, Body = body };
        foreach (var (k, v) in headers) response.Headers[k] = v;
        return response;
    }

    private static int FindHeaderEnd(ReadOnlySpan<byte> span, out int separator)
    {
        var crlf = span.IndexOf("\r\n\r\n"u8);
        var lf = span.IndexOf("\n\n"u8);
        if (crlf >= 0 && (lf < 0 || crlf < lf)) { separator = 4; return crlf; }
        separator = 2;
        return lf;
    }

    /// <summary>Removes chunked transfer coding (RFC 9112 section 7.1); a body that is not really chunked is kept as is.</summary>
    private static byte[] Dechunk(byte[] body)
    {
        var output = new MemoryStream(body.Length);
        var pos = 0;
        while (pos < body.Length)
        {
            var nl = Array.IndexOf(body, (byte)'\n', pos);
            if (nl < 0) break;
            var sizeText = Encoding.Latin1.GetString(body, pos, nl - pos).Trim().Split(';')[0];
            if (!int.TryParse(sizeText, System.Globalization.NumberStyles.HexNumber, null, out var size) || size < 0)
                return pos == 0 ? body : output.ToArray(); // servers sometimes say chunked and are not
            if (size == 0) break;
            var start = nl + 1;
            var n = Math.Min(size, body.Length - start);
            output.Write(body, start, n);
            pos = start + n;
            if (pos < body.Length && body[pos] == '\r') pos++;
            if (pos < body.Length && body[pos] == '\n') pos++;
        }
        return output.ToArray();
    }

    private static byte[] Decode(byte[] body, string? coding)
    {
        if (string.IsNullOrWhiteSpace(coding) || body.Length == 0) return body;
        foreach (var c in coding.Split(',').Select(c => c.Trim().ToLowerInvariant()).Reverse())
        {
            Stream? decoder = c switch
            {
                "gzip" or "x-gzip" => new GZipStream(new MemoryStream(body), CompressionMode.Decompress),
                "deflate" => body.Length > 1 && body[0] is 0x78 ? new ZLibStream(new MemoryStream(body), CompressionMode.Decompress)
                    : new DeflateStream(new MemoryStream(body), CompressionMode.Decompress),
                "br" => new BrotliStream(new MemoryStream(body), CompressionMode.Decompress),
                "identity" or "" => null,
                _ => throw new InvalidDataException($"unsupported Content-Encoding '{c}'"),
            };
            if (decoder is null) continue;
            using (decoder)
            {
                var output = new MemoryStream();
                decoder.CopyTo(output);
                body = output.ToArray();
            }
        }
        return body;
    }
}
