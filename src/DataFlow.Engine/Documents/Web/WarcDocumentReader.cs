using System.IO.Compression;
using System.Text;

namespace DataFlow.Engine.Documents.Web;

/// <summary>
/// Web archives as documents: WARC (Common Crawl WARC and WET, <c>wget --warc-file</c>, Heritrix) and ARC files, plain
/// or gzip (one member per record as crawlers write them, or the whole file). <c>response</c> records become documents
/// holding the page (HTML, decoded by <see cref="HtmlCharset"/>; the <c>extract</c> stage turns it into text),
/// <c>resource</c> records likewise, <c>conversion</c> records (WET) hold text already. Request, metadata, warcinfo and
/// revisit records, and records of other URI schemes than http(s) (dns:, metadata://), are not documents and are
/// passed over. Every record that should have been a document and is not
/// is a reject with its record number and reason: HTTP status other than 200, a content type outside
/// <see cref="ReadOptions.WebContentTypes"/>, a record the crawler truncated (<c>WARC-Truncated</c>), a malformed header
/// or HTTP message, an empty body, or a file that ends inside a record (every record before it is kept).
/// Columns: <see cref="Columns"/>. In rejects, "line" is the record's number in the file (1-based).
/// </summary>
public static class WarcDocumentReader
{
    public static readonly IReadOnlyList<ExtraColumn> Columns =
    [
        ExtraColumn.String("url"), ExtraColumn.String("warc_date"), ExtraColumn.String("warc_record_id"),
        ExtraColumn.String("warc_type"), ExtraColumn.String("content_type"), ExtraColumn.Int64("http_status"),
        ExtraColumn.String("charset"),
    ];

    /// <summary>Whether a file name is a web archive (.warc, .wet, .arc, each optionally .gz).</summary>
    public static bool IsArchive(string name)
    {
        name = name.ToLowerInvariant();
        if (name.EndsWith(".gz", StringComparison.Ordinal)) name = name[..^3];
        return name.EndsWith(".warc", StringComparison.Ordinal) || name.EndsWith(".wet", StringComparison.Ordinal)
            || name.EndsWith(".arc", StringComparison.Ordinal) || name.EndsWith(".warc.wet", StringComparison.Ordinal);
    }

    public static IEnumerable<Document> Read(string path, ReadOptions options, IRejectSink rejects, Action<double>? onFraction = null)
    {
        using var file = File.OpenRead(path);
        if (file.Length == 0)
        {
            rejects.Reject(new Reject(path, 0, "empty file (0 bytes), not a web archive"));
            yield break;
        }
        var gzip = file.ReadByte() == 0x1F & file.ReadByte() == 0x8B;
        file.Position = 0;
        using Stream data = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : new BufferedStream(file, 1 << 16);
        var records = new WarcRecordStream(data);
        var source = options.Source ?? Path.GetFileName(path);
        var stem = DocumentSources.StemOf(path);
        long lastOrdinal = 0;
        while (true)
        {
            WarcRecord? record;
            WarcFault? fault;
            try
            {
                (record, fault) = records.Next();
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                rejects.Reject(new Reject(path, lastOrdinal + 1, $"compressed stream is truncated or corrupt after record {lastOrdinal}: {e.Message}"));
                yield break;
            }
            if (record is null && fault is null) break;
            if (fault is not null)
            {
                lastOrdinal = fault.Ordinal;
                rejects.Reject(new Reject(path, fault.Ordinal, $"{fault.Reason} (record at byte {fault.Offset:N0} of the {(gzip ? "decompressed " : "")}data)"));
                if (fault.Fatal) yield break;
                continue;
            }
            lastOrdinal = record!.Ordinal;
            var (doc, reason) = ToDocument(record, options, source, stem);
            if (doc is not null)
            {
                doc.SetOrigin(path, "#record", record.Ordinal);
                yield return doc;
            }
            else if (reason is not null)
            {
                rejects.Reject(new Reject(path, record.Ordinal, reason, record["WARC-Target-URI"]?.Trim('<', '>')));
            }
            if (file.Length > 0) onFraction?.Invoke(Math.Min(1.0, (double)file.Position / file.Length));
        }
    }

    /// <summary>The record as a document; or null with the reason it is rejected; or (null, null) when it is not a document.</summary>
    private static (Document? Doc, string? Reason) ToDocument(WarcRecord record, ReadOptions options, string source, string stem)
    {
        var type = record.Type.ToLowerInvariant();
        if (type is not ("response" or "resource" or "conversion")) return (null, null);
        // dns:, metadata://, whois: and other crawler bookkeeping are not pages.
        var url = record["WARC-Target-URI"]?.Trim('<', '>');
        if (url is not null && !url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            return (null, null);
        if (record["WARC-Truncated"] is { } truncated) return (null, $"record truncated by the crawler (WARC-Truncated: {truncated})");
        long? status = null;
        var body = record.Block;
        var contentType = record["Content-Type"];
        if (type == "response" && LooksLikeHttp(body))
        {
            HttpResponse http;
            try
            {
                http = HttpResponse.Parse(body);
            }
            catch (InvalidDataException e)
            {
                return (null, $"malformed HTTP response: {e.Message}");
            }
            status = http.Status;
            if (http.Status != 200) return (null, $"HTTP status {http.Status}");
            body = http.Body;
            contentType = http.ContentType;
        }
        string text, charset;
        if (type == "conversion")
        {
            text = Encoding.UTF8.GetString(body);
            charset = "utf-8";
            contentType ??= "text/plain";
        }
        else
        {
            var media = MediaType(contentType) ?? (SniffHtml(body) ? "text/html" : null);
            if (media is null || !options.WebContentTypes.Contains(media, StringComparer.OrdinalIgnoreCase))
                return (null, $"content type {media ?? "unknown"} is not one of {string.Join(", ", options.WebContentTypes)}");
            (text, charset, _) = HtmlCharset.Decode(body, contentType);
        }
        if (string.IsNullOrWhiteSpace(text)) return (null, "empty body");
        var id = record["WARC-Record-ID"]?.Trim('<', '>') ?? $"{stem}:{record.Ordinal}";
        var doc = new Document(id, text, source)
        {
            ["url"] = url,
            ["warc_date"] = record["WARC-Date"],
            ["warc_record_id"] = record["WARC-Record-ID"]?.Trim('<', '>'),
            ["warc_type"] = type,
            ["content_type"] = contentType,
            ["http_status"] = status,
            ["charset"] = charset,
        };
        return (doc, null);
    }

    private static bool LooksLikeHttp(byte[] block) => block.AsSpan().StartsWith("HTTP/"u8);

    private static string? MediaType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return null;
        var media = contentType.Split(';')[0].Trim().ToLowerInvariant();
        return media.Length == 0 ? null : media;
    }

    private static bool SniffHtml(byte[] body)
    {
        var head = Encoding.Latin1.GetString(body, 0, Math.Min(body.Length, 512)).TrimStart('\uFEFF', ' ', '\t', '\r', '\n', 'ï', '»', '¿');
        return head.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase) || head.StartsWith("<html", StringComparison.OrdinalIgnoreCase);
    }
}
