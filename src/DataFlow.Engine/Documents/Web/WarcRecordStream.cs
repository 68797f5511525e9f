using System.Text;

namespace DataFlow.Engine.Documents.Web;

/// <summary>One archive record: its headers (WARC named fields, or the ARC header line mapped to WARC names) and block.</summary>
public sealed class WarcRecord
{
    public required long Ordinal { get; init; }
    public required long Offset { get; init; }
    public required Dictionary<string, string> Headers { get; init; }
    public required byte[] Block { get; init; }
    public string? this[string name] => Headers.GetValueOrDefault(name);
    public string Type => this["WARC-Type"] ?? "";
}

/// <summary>A record that could not be read: where it started and why. <see cref="Fatal"/>: nothing after it is readable.</summary>
public sealed record WarcFault(long Ordinal, long Offset, string Reason, bool Fatal);

/// <summary>
/// Splits a decompressed WARC (0.17-1.1) or ARC (v1) byte stream into records. WARC: a version line, named fields up
/// to an empty line, <c>Content-Length</c> bytes of block, two line ends. ARC: a header line
/// <c>URL IP DATE CONTENT-TYPE LENGTH</c> then LENGTH bytes; its fields are given WARC names
/// (<c>WARC-Target-URI</c>, <c>WARC-Date</c>, <c>Content-Type</c>) and the record type <c>response</c> (the first
/// <c>filedesc://</c> record is <c>warcinfo</c>). A malformed header is a fault after which the reader resynchronises on
/// the next version line; a block cut short by the end of the data is a fatal fault. Memory: one record's block.
/// </summary>
public sealed class WarcRecordStream(Stream input, long maxRecordBytes = WarcRecordStream.DefaultMaxRecordBytes)
{
    public const long DefaultMaxRecordBytes = 256L << 20;
    private const int MaxHeaderLine = 64 << 10;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start, _end;
    private long _offset; // bytes consumed from input
    private long _ordinal;
    private bool _arc;
    private string? _pendingLine; // a version line found while resynchronising

    /// <summary>Reads the next record, or a fault, or (null, null) at the end.</summary>
    public (WarcRecord? Record, WarcFault? Fault) Next()
    {
        string? first;
        long offset;
        do
        {
            offset = _offset;
            first = _pendingLine ?? ReadLine();
            _pendingLine = null;
            if (first is null) return (null, null);
        } while (first.Length == 0);
        var ordinal = ++_ordinal;
        if (first.StartsWith("WARC/", StringComparison.Ordinal)) return ReadWarc(first, ordinal, offset);
        if (ordinal == 1 && first.StartsWith("filedesc://", StringComparison.Ordinal)) _arc = true;
        if (_arc) return ReadArc(first, ordinal, offset);
        return Resync(ordinal, offset, $"expected a 'WARC/1.x' version line, found '{Clip(first)}'");
    }

    private (WarcRecord?, WarcFault?) ReadWarc(string version, long ordinal, long offset)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["WARC-Version"] = version.Trim() };
        string? name = null;
        while (true)
        {
            var line = ReadLine();
            if (line is null) return (null, new WarcFault(ordinal, offset, "file ends inside the record's header", true));
            if (line.Length == 0) break;
            if ((line[0] == ' ' || line[0] == '\t') && name is not null)
            {
                headers[name] += " " + line.Trim(); // folded continuation line
                continue;
            }
            var colon = line.IndexOf(':');
            if (colon <= 0) return Resync(ordinal, offset, $"malformed header line '{Clip(line)}'");
            name = line[..colon].Trim();
            headers[name] = line[(colon + 1)..].Trim();
        }
        if (!headers.TryGetValue("Content-Length", out var lengthText) || !long.TryParse(lengthText, out var length) || length < 0)
            return Resync(ordinal, offset, lengthText is null ? "no Content-Length" : $"bad Content-Length '{Clip(lengthText)}'");
        return ReadBlock(headers, length, ordinal, offset);
    }

    private (WarcRecord?, WarcFault?) ReadArc(string line, long ordinal, long offset)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 5 || !long.TryParse(fields[^1], out var length) || length < 0)
            return (null, new WarcFault(ordinal, offset, $"malformed ARC header line '{Clip(line)}'", true));
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["WARC-Type"] = fields[0].StartsWith("filedesc://", StringComparison.Ordinal) ? "warcinfo" : "response",
            ["WARC-Target-URI"] = fields[0],
            ["WARC-Date"] = ArcDate(fields[2]),
            ["Content-Type"] = fields[3],
            ["ARC-Content-Type"] = fields[3],
        };
        return ReadBlock(headers, length, ordinal, offset);
    }

    private (WarcRecord?, WarcFault?) ReadBlock(Dictionary<string, string> headers, long length, long ordinal, long offset)
    {
        if (length > maxRecordBytes)
        {
            var skipped = Skip(length);
            return (null, new WarcFault(ordinal, offset, $"record of {length:N0} bytes exceeds the limit of {maxRecordBytes:N0}", skipped < length));
        }
        var block = new byte[length];
        var got = ReadInto(block);
        if (got < length)
            return (null, new WarcFault(ordinal, offset, $"truncated record: file ends {length - got:N0} bytes into a {length:N0}-byte block", true));
        return (new WarcRecord { Ordinal = ordinal, Offset = offset, Headers = headers, Block = block }, null);
    }

    /// <summary>Skips to the next version line, so one bad header costs one record.</summary>
    private (WarcRecord?, WarcFault?) Resync(long ordinal, long offset, string reason)
    {
        while (ReadLine() is { } line)
        {
            if (line.StartsWith("WARC/", StringComparison.Ordinal))
            {
                _pendingLine = line;
                return (null, new WarcFault(ordinal, offset, reason, false));
            }
        }
        return (null, new WarcFault(ordinal, offset, reason, true));
    }

    private static string ArcDate(string d) =>
        d.Length >= 14 && long.TryParse(d.AsSpan(0, 14), out _)
            ? $"{d[..4]}-{d[4..6]}-{d[6..8]}T{d[8..10]}:{d[10..12]}:{d[12..14]}Z" : d;

    private static string Clip(string s) => s.Length > 80 ? s[..80] + "..." : s;

    /// <summary>A line without its CR LF / LF, decoded as UTF-8; null at the end of the data.</summary>
    private string? ReadLine()
    {
        var bytes = new List<byte>();
        while (true)
        {
            if (_start == _end && !Fill()) return bytes.Count == 0 ? null : Decode(bytes);
            var span = _buffer.AsSpan(_start, _end - _start);
            var nl = span.IndexOf((byte)'\n');
            if (nl >= 0)
            {
                if (bytes.Count + nl <= MaxHeaderLine) bytes.AddRange(span[..nl]);
                _start += nl + 1;
                _offset += nl + 1;
                return Decode(bytes);
            }
            if (bytes.Count + span.Length <= MaxHeaderLine) bytes.AddRange(span);
            _offset += span.Length;
            _start = _end;
        }
    }

    private static string Decode(List<byte> bytes)
    {
        var n = bytes.Count;
        if (n > 0 && bytes[n - 1] == (byte)'\r') n--;
        return Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes)[..n]);
    }

    private int ReadInto(Span<byte> target)
    {
        var done = 0;
        while (done < target.Length)
        {
            if (_start == _end && !Fill()) break;
            var n = Math.Min(_end - _start, target.Length - done);
            _buffer.AsSpan(_start, n).CopyTo(target[done..]);
            _start += n;
            _offset += n;
            done += n;
        }
        return done;
    }

    private long Skip(long count)
    {
        long done = 0;
        while (done < count)
        {
            if (_start == _end && !Fill()) break;
            var n = (int)Math.Min(_end - _start, count - done);
            _start += n;
            _offset += n;
            done += n;
        }
        return done;
    }

    private bool Fill()
    {
        _start = 0;
        _end = input.Read(_buffer, 0, _buffer.Length);
        return _end > 0;
    }
}
