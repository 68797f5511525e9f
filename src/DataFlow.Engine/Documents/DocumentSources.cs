using DataFlow.Engine.Documents.Web;

namespace DataFlow.Engine.Documents;

/// <summary>Opens any supported input as a stream of documents, choosing the reader by file name.</summary>
public static class DocumentSources
{
    public static IEnumerable<Document> Read(string path, ReadOptions options, IRejectSink rejects, Action<double>? onFraction = null) =>
        FormatOf(path) switch
        {
            InputFormat.Jsonl => JsonlDocumentReader.Read(path, options, rejects, onFraction),
            InputFormat.Parquet => ParquetDocumentReader.Read(path, options, rejects, onFraction),
            InputFormat.Warc => WarcDocumentReader.Read(path, options, rejects, onFraction),
            _ => TextFileDocumentReader.Read(path, options, rejects),
        };

    public static InputFormat FormatOf(string path)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        if (WarcDocumentReader.IsArchive(name)) return InputFormat.Warc;
        foreach (var suffix in new[] { ".gz", ".zst" })
            if (name.EndsWith(suffix, StringComparison.Ordinal)) name = name[..^suffix.Length];
        return Path.GetExtension(name) switch
        {
            ".jsonl" or ".ndjson" or ".json" => InputFormat.Jsonl,
            ".parquet" => InputFormat.Parquet,
            _ => InputFormat.Text,
        };
    }

    /// <summary>The columns beyond id/text/source/metadata that documents read from an input carry.</summary>
    public static IReadOnlyList<ExtraColumn> ExtraColumnsOf(string path, ReadOptions? options = null) => FormatOf(path) switch
    {
        InputFormat.Parquet => ParquetDocumentReader.ExtraColumnsOf(path, options),
        InputFormat.Warc => WarcDocumentReader.Columns,
        _ => [],
    };

    /// <summary>File name without directory and without any of .jsonl/.gz/.zst/.parquet, used for generated ids.</summary>
    public static string StemOf(string path)
    {
        var name = Path.GetFileName(path);
        foreach (var ext in new[] { ".gz", ".zst", ".jsonl", ".ndjson", ".json", ".parquet", ".txt", ".warc", ".wet", ".arc" })
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) name = name[..^ext.Length];
        return name;
    }
}
