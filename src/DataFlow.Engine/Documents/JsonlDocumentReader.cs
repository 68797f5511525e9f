using System.IO.Compression;
using System.Text;

namespace DataFlow.Engine.Documents;

/// <summary>
/// Streams documents from JSONL, JSONL.gz or JSONL.zst. Parses each line straight from bytes, the text staying
/// UTF-8 (<see cref="JsonlLineParser"/>); a bad line (broken JSON, invalid UTF-8, missing text field) goes to the
/// reject sink with its line number and the lines around it are kept. A truncated or corrupt compressed stream is rejected at the line where it broke,
/// after every complete line before it has been returned.
/// </summary>
public static class JsonlDocumentReader
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    public static IEnumerable<Document> Read(string path, ReadOptions options, IRejectSink rejects, Action<double>? onFraction = null)
    {
        var source = options.Source ?? Path.GetFileName(path);
        var stem = DocumentSources.StemOf(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var stream = Decompress(file, path);
        var lines = new LineSplitter(stream);
        var parser = new JsonlLineParser(options, path, source, stem);
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
            if (lines.LineNumber == 1 && span.StartsWith(Utf8Bom)) span = span[Utf8Bom.Length..]; // files saved by Windows tools
            if (span.Trim((byte)' ').IsEmpty) continue;
            var doc = parser.Parse(span, lines.LineNumber, out var problem);
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

    // Generous, so a masking sink can mask whole values before it cuts the excerpt short (a cut value escapes a mask).
    private const int ExcerptBytes = 16 * 1024;

    private static string Excerpt(ReadOnlySpan<byte> line) =>
        Encoding.UTF8.GetString(line[..Math.Min(line.Length, ExcerptBytes)]);
}
