using Parquet;
using Parquet.Schema;

namespace DataFlow.Engine.Documents;

/// <summary>
/// Writes documents to one Parquet shard: columns id, text, source, metadata (JSON string), then any extra
/// columns a stage declares. Rows are buffered up to a row group bound (rows or text bytes), so memory stays
/// flat however large the shard grows. zstd at its fastest level by default (Parquet.Net's default SmallestSize is ~50x slower).
/// </summary>
public sealed class DocumentShardWriter : IDisposable
{
    public const int DefaultRowGroupRows = 100_000;
    public const long DefaultRowGroupBytes = 32L << 20;

    private readonly Stream _stream;
    private readonly ParquetWriter _writer;
    private readonly ParquetSchema _schema;
    private readonly DataField[] _fields;
    private readonly IReadOnlyList<ExtraColumn> _extras;
    private readonly int _rowGroupRows;
    private readonly long _rowGroupBytes;
    private readonly List<string> _ids = [];
    private readonly List<string> _texts = [];
    private readonly List<string> _sources = [];
    private readonly List<string> _metadata = [];
    private readonly List<object?>[] _extraValues;
    private long _bufferedBytes;
    private bool _disposed;

    public DocumentShardWriter(string path, IReadOnlyList<ExtraColumn>? extras = null, ShardWriteOptions? options = null)
    {
        options ??= ShardWriteOptions.Default;
        _extras = extras ?? [];
        _rowGroupRows = options.RowGroupRows;
        _rowGroupBytes = options.RowGroupBytes;
        var fields = new List<DataField>
        {
            new DataField<string>("id", false), new DataField<string>("text", false),
            new DataField<string>("source", false), new DataField<string>("metadata", false),
        };
        foreach (var extra in _extras)
        {
            if (fields.Any(f => f.Name == extra.Name)) throw new ArgumentException($"column '{extra.Name}' declared twice");
            fields.Add(new DataField(extra.Name, extra.Type, isNullable: true));
        }
        _fields = [.. fields];
        _schema = new ParquetSchema(_fields);
        _extraValues = _extras.Select(_ => new List<object?>()).ToArray();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var parquetOptions = new ParquetOptions
        {
            CompressionMethod = options.Compression,
            CompressionLevel = options.CompressionLevel,
            // Text columns are nearly all unique: decide on a sample instead of hashing every value for a dictionary.
            DictionaryEncodingSampleSize = 1000,
            // The library's stream pool keeps freed buffers forever by default; cap it so RSS stays flat.
            MaximumSmallPoolFreeBytes = 16 << 20,
            MaximumLargePoolFreeBytes = 64 << 20,
        };
        _writer = ParquetWriter.CreateAsync(_schema, _stream, parquetOptions).GetAwaiter().GetResult();
    }

    public long Rows { get; private set; }
    public long TextBytes { get; private set; }
    public IReadOnlyList<ExtraColumn> Extras => _extras;

    public void Write(Document doc)
    {
        _ids.Add(doc.Id);
        _texts.Add(doc.Text);
        _sources.Add(doc.Source);
        _metadata.Add(doc.Metadata);
        for (var i = 0; i < _extras.Count; i++) _extraValues[i].Add(doc[_extras[i].Name]);
        var bytes = (long)doc.Text.Length * 2 + doc.Id.Length * 2 + doc.Metadata.Length * 2;
        _bufferedBytes += bytes;
        TextBytes += doc.Text.Length;
        Rows++;
        if (_ids.Count >= _rowGroupRows || _bufferedBytes >= _rowGroupBytes) Flush();
    }

    private void Flush()
    {
        if (_ids.Count == 0) return;
        using (var group = _writer.CreateRowGroup())
        {
            group.WriteAsync(_fields[0], _ids).GetAwaiter().GetResult();
            group.WriteAsync(_fields[1], _texts).GetAwaiter().GetResult();
            group.WriteAsync(_fields[2], _sources).GetAwaiter().GetResult();
            group.WriteAsync(_fields[3], _metadata).GetAwaiter().GetResult();
            for (var i = 0; i < _extras.Count; i++) WriteExtra(group, _fields[4 + i], _extras[i].Type, _extraValues[i]);
        }
        _ids.Clear();
        _texts.Clear();
        _sources.Clear();
        _metadata.Clear();
        foreach (var list in _extraValues) list.Clear();
        _bufferedBytes = 0;
    }

    private static void WriteExtra(ParquetRowGroupWriter group, DataField field, Type type, List<object?> values)
    {
        if (type == typeof(string))
            group.WriteAsync(field, values.Select(v => v?.ToString()!).ToList()).GetAwaiter().GetResult();
        else if (type == typeof(long))
            group.WriteAsync<long>(field, (ReadOnlyMemory<long?>)values.Select(v => v is null ? (long?)null : Convert.ToInt64(v)).ToArray()).GetAwaiter().GetResult();
        else if (type == typeof(int))
            group.WriteAsync<int>(field, (ReadOnlyMemory<int?>)values.Select(v => v is null ? (int?)null : Convert.ToInt32(v)).ToArray()).GetAwaiter().GetResult();
        else if (type == typeof(double))
            group.WriteAsync<double>(field, (ReadOnlyMemory<double?>)values.Select(v => v is null ? (double?)null : Convert.ToDouble(v)).ToArray()).GetAwaiter().GetResult();
        else if (type == typeof(bool))
            group.WriteAsync<bool>(field, (ReadOnlyMemory<bool?>)values.Select(v => v is null ? (bool?)null : Convert.ToBoolean(v)).ToArray()).GetAwaiter().GetResult();
        else
            throw new NotSupportedException($"column '{field.Name}': type {type.Name} is not supported");
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Flush();
        _writer.DisposeAsync().GetAwaiter().GetResult();
        _stream.Dispose();
    }
}
