using ParquetSharp;
using ParquetSharp.Schema;

namespace DataFlow.Engine.Documents;

/// <summary>
/// Writes documents to one Parquet shard: columns id, text, source, metadata (JSON string), then any extra
/// columns a stage declares. Rows are buffered up to a row group bound (rows or UTF-8 bytes), so memory stays
/// flat however large the shard grows. Written by ParquetSharp (Apache Arrow's C++ writer) from UTF-8 packed in
/// one buffer, so text read as UTF-8 never becomes a .NET string: a little less CPU than Parquet.Net took, shards
/// as small or smaller (Gutenberg: 53 MB instead of 74 with zstd 1 against its fastest), half the memory.
/// </summary>
public sealed class DocumentShardWriter : IDisposable
{
    public const int DefaultRowGroupRows = 100_000;

    /// <summary>UTF-8 bytes of id + text + metadata per row group: the rows the former 32 MB UTF-16 estimate held, so readers' memory is unchanged.</summary>
    public const long DefaultRowGroupBytes = 16L << 20;

    /// <summary>Target size of a data page (the Parquet writer's default).</summary>
    private const long PageBytes = 1 << 20;

    private static readonly string[] StandardColumns = ["id", "text", "source", "metadata"];

    private readonly ParquetFileWriter _file;
    private readonly IReadOnlyList<ExtraColumn> _extras;
    private readonly int _rowGroupRows;
    private readonly long _rowGroupBytes;
    private readonly Utf8ColumnBuffer _ids;
    private readonly Utf8ColumnBuffer _texts;
    private readonly Utf8ColumnBuffer _sources;
    private readonly Utf8ColumnBuffer _metadata;
    private readonly List<object?>[] _extraValues;
    private bool _disposed;

    public DocumentShardWriter(string path, IReadOnlyList<ExtraColumn>? extras = null, ShardWriteOptions? options = null)
    {
        options ??= ShardWriteOptions.Default;
        _extras = extras ?? [];
        _rowGroupRows = options.RowGroupRows;
        _rowGroupBytes = options.RowGroupBytes;
        (_ids, _texts, _sources, _metadata) = (new(_rowGroupBytes), new(_rowGroupBytes), new(_rowGroupBytes), new(_rowGroupBytes));
        var nodes = StandardColumns.Select(name => (Node)new PrimitiveNode(name, Repetition.Required, LogicalType.String(), PhysicalType.ByteArray)).ToList();
        foreach (var extra in _extras)
        {
            if (nodes.Any(n => n.Name == extra.Name)) throw new ArgumentException($"column '{extra.Name}' declared twice");
            nodes.Add(NodeOf(extra));
        }
        _extraValues = _extras.Select(_ => new List<object?>()).ToArray();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var schema = new GroupNode("schema", Repetition.Required, nodes);
        using var properties = Properties(options);
        _file = new ParquetFileWriter(path, schema, properties);
        foreach (var node in nodes) node.Dispose();
    }

    public long Rows { get; private set; }
    public long TextBytes { get; private set; }
    public IReadOnlyList<ExtraColumn> Extras => _extras;

    public void Write(Document doc)
    {
        // Close the row group before a document that would overflow it, so buffers never grow past the bound.
        var textBytes = doc.TextUtf8Length;
        if (_ids.Count > 0 && _ids.Bytes + _texts.Bytes + _metadata.Bytes + textBytes > _rowGroupBytes) Flush();
        _ids.Add(doc.Id);
        if (doc.TryGetUtf8Text(out var utf8Text)) _texts.Add(utf8Text);
        else _texts.Add(doc.Text);
        _sources.Add(doc.Source);
        _metadata.Add(doc.Metadata);
        for (var i = 0; i < _extras.Count; i++) _extraValues[i].Add(doc[_extras[i].Name]);
        TextBytes += textBytes;
        Rows++;
        if (_ids.Count >= _rowGroupRows) Flush();
    }

    private void Flush()
    {
        if (_ids.Count == 0) return;
        using (var group = _file.AppendRowGroup())
        {
            foreach (var column in new[] { _ids, _texts, _sources, _metadata })
            {
                using var writer = group.NextColumn();
                column.WriteTo(writer, PageBytes);
            }
            for (var i = 0; i < _extras.Count; i++)
            {
                using var writer = group.NextColumn();
                WriteExtra(writer, _extras[i], _extraValues[i]);
            }
        }
        foreach (var column in new[] { _ids, _texts, _sources, _metadata }) column.Clear();
        foreach (var list in _extraValues) list.Clear();
    }

    /// <summary>
    /// zstd level 1 by default. Dictionaries only where values repeat (source, extras): id, text and metadata are
    /// nearly unique, and min/max statistics of long strings cost time for nothing a reader uses.
    /// </summary>
    private static WriterProperties Properties(ShardWriteOptions options)
    {
        using var builder = new WriterPropertiesBuilder()
            .MemoryPool(NativePool.Value)
            .Compression(options.Compression)
            .EnableDictionary();
        if (options.Compression is Compression.Zstd or Compression.Gzip) builder.CompressionLevel(options.Level);
        foreach (var name in new[] { "id", "text", "metadata" }) builder.DisableDictionary(name).DisableStatistics(name);
        return builder.Build();
    }

    /// <summary>
    /// Arrow's default pool on Linux is mimalloc, which asks for transparent huge pages on its 1 GB arena: on a host
    /// whose memory is fragmented (any busy one) the first touch of each 2 MB page then waits for the kernel to
    /// compact memory, about a tenth of a short ingest's CPU (perf, docs/ingest.md). jemalloc (or the C library's
    /// allocator where jemalloc is not built in) does not; the bytes written are the same. ARROW_DEFAULT_MEMORY_POOL,
    /// when set, still decides.
    /// </summary>
    private static readonly Lazy<MemoryPool> NativePool = new(() =>
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ARROW_DEFAULT_MEMORY_POOL"))) return MemoryPool.GetDefaultMemoryPool();
        try
        {
            return MemoryPool.JemallocMemoryPool();
        }
        catch (ParquetException)
        {
            return MemoryPool.SystemMemoryPool();
        }
    });

    private static PrimitiveNode NodeOf(ExtraColumn extra)
    {
        var t = extra.Type;
        if (t == typeof(string)) return new PrimitiveNode(extra.Name, Repetition.Optional, LogicalType.String(), PhysicalType.ByteArray);
        if (t == typeof(long)) return new PrimitiveNode(extra.Name, Repetition.Optional, LogicalType.None(), PhysicalType.Int64);
        if (t == typeof(int)) return new PrimitiveNode(extra.Name, Repetition.Optional, LogicalType.None(), PhysicalType.Int32);
        if (t == typeof(double)) return new PrimitiveNode(extra.Name, Repetition.Optional, LogicalType.None(), PhysicalType.Double);
        if (t == typeof(bool)) return new PrimitiveNode(extra.Name, Repetition.Optional, LogicalType.None(), PhysicalType.Boolean);
        throw new NotSupportedException($"column '{extra.Name}': type {t.Name} is not supported");
    }

    private static void WriteExtra(ColumnWriter column, ExtraColumn extra, List<object?> values)
    {
        var t = extra.Type;
        if (t == typeof(string)) Write(column, values.Select(v => v?.ToString()).ToArray());
        else if (t == typeof(long)) Write(column, values.Select(v => v is null ? (long?)null : Convert.ToInt64(v)).ToArray());
        else if (t == typeof(int)) Write(column, values.Select(v => v is null ? (int?)null : Convert.ToInt32(v)).ToArray());
        else if (t == typeof(double)) Write(column, values.Select(v => v is null ? (double?)null : Convert.ToDouble(v)).ToArray());
        else if (t == typeof(bool)) Write(column, values.Select(v => v is null ? (bool?)null : Convert.ToBoolean(v)).ToArray());
    }

    private static void Write<T>(ColumnWriter column, T[] values)
    {
        using var writer = column.LogicalWriter<T>();
        writer.WriteBatch(values);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            Flush();
            _file.Close();
        }
        finally
        {
            _file.Dispose();
        }
    }
}
