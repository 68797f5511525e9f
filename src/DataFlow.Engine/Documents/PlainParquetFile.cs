using Encoding = System.Text.Encoding;
using ParquetSharp;

namespace DataFlow.Engine.Documents;

/// <summary>
/// A Parquet file whose columns are all flat (top level, not repeated) and of the types documents carry: UTF-8
/// strings (BYTE_ARRAY annotated as String), INT64, INT32, DOUBLE and BOOLEAN without annotation, each required or
/// optional. That is every shard the stages write, and those files are read here through ParquetSharp (Apache
/// Arrow's C++ reader, whose native library the shard writer loads anyway) instead of Parquet.Net: a task process
/// then pays neither Parquet.Net's async machinery nor its managed zstd at start-up (docs/scaleout.md "Start-up").
/// Values are those Parquet.Net reads from such a file: strings decoded by UTF-8 as Encoding.UTF8 decodes (invalid bytes
/// become U+FFFD, as there), null where a value is undefined. Any other file is not plain (<see cref="TryOpen"/>
/// returns null) and <see cref="ParquetDocumentReader"/> reads it with Parquet.Net as before.
/// </summary>
internal sealed class PlainParquetFile : IDisposable
{
    /// <summary>One column: its index in the file, its name, the CLR type its values read as and whether it may hold nulls.</summary>
    public sealed record Column(int Index, string Name, Type Type, bool IsOptional);

    private const int BatchRows = 4096;

    private readonly ParquetFileReader _reader;

    private PlainParquetFile(ParquetFileReader reader, IReadOnlyList<Column> columns, int rowGroupCount)
    {
        _reader = reader;
        Columns = columns;
        RowGroupCount = rowGroupCount;
    }

    public IReadOnlyList<Column> Columns { get; }
    public int RowGroupCount { get; }

    /// <summary>The file opened by ParquetSharp when its schema is plain; null when it is not, or when ParquetSharp cannot read its footer.</summary>
    public static PlainParquetFile? TryOpen(string path)
    {
        ParquetFileReader? reader = null;
        try
        {
            reader = new ParquetFileReader(path);
            using var metadata = reader.FileMetaData;
            var schema = metadata.Schema;
            var columns = new List<Column>(schema.NumColumns);
            for (var i = 0; i < schema.NumColumns; i++)
            {
                if (PlainColumn(schema.Column(i), i) is not { } column)
                {
                    reader.Dispose();
                    return null;
                }
                columns.Add(column);
            }
            return new PlainParquetFile(reader, columns, metadata.NumRowGroups);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            reader?.Dispose();
            return null;
        }
    }

    private static Column? PlainColumn(ColumnDescriptor descriptor, int index)
    {
        if (descriptor.MaxRepetitionLevel != 0 || descriptor.MaxDefinitionLevel > 1) return null;
        using (var path = descriptor.Path)
            if (path.ToDotVector().Length != 1) return null;
        using var logical = descriptor.LogicalType;
        var type = (descriptor.PhysicalType, logical) switch
        {
            (PhysicalType.ByteArray, StringLogicalType) => typeof(string),
            (PhysicalType.Int64, NoneLogicalType) => typeof(long),
            (PhysicalType.Int32, NoneLogicalType) => typeof(int),
            (PhysicalType.Double, NoneLogicalType) => typeof(double),
            (PhysicalType.Boolean, NoneLogicalType) => typeof(bool),
            _ => null,
        };
        return type is null ? null : new Column(index, descriptor.Name, type, descriptor.MaxDefinitionLevel == 1);
    }

    /// <summary>Rows of a row group, from the footer.</summary>
    public long RowGroupRows(int group)
    {
        using var rowGroup = _reader.RowGroup(group);
        return rowGroup.MetaData.NumRows;
    }

    /// <summary>
    /// The given columns of one row group: string?[] for strings, T[] for required and T?[] for optional values (the
    /// arrays Parquet.Net reads them into). Throws when the row group cannot be decoded.
    /// </summary>
    public Array[] ReadRowGroup(int group, IReadOnlyList<Column> columns, out int count)
    {
        using var rowGroup = _reader.RowGroup(group);
        count = checked((int)rowGroup.MetaData.NumRows);
        var result = new Array[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            var column = columns[c];
            using var reader = rowGroup.Column(column.Index);
            result[c] = column.Type == typeof(string) ? Strings((ColumnReader<ByteArray>)reader, column, count)
                : column.Type == typeof(long) ? Values((ColumnReader<long>)reader, column, count)
                : column.Type == typeof(int) ? Values((ColumnReader<int>)reader, column, count)
                : column.Type == typeof(double) ? Values((ColumnReader<double>)reader, column, count)
                : Values((ColumnReader<bool>)reader, column, count);
        }
        return result;
    }

    private static unsafe string?[] Strings(ColumnReader<ByteArray> reader, Column column, int count)
    {
        var values = new string?[count];
        var batch = new ByteArray[Math.Min(BatchRows, Math.Max(1, count))];
        var levels = column.IsOptional ? new short[batch.Length] : null;
        for (var row = 0; row < count;)
        {
            // A batch never spans pages, and its values point into the current page: decode them before the next call.
            var rows = ReadBatch(reader, levels, batch, count - row, column);
            for (int i = 0, v = 0; i < rows; i++)
            {
                if (levels is not null && levels[i] == 0) continue;
                var value = batch[v++];
                values[row + i] = value.Length == 0 ? "" : Encoding.UTF8.GetString((byte*)value.Pointer, value.Length);
            }
            row += rows;
        }
        return values;
    }

    private static Array Values<T>(ColumnReader<T> reader, Column column, int count) where T : unmanaged
    {
        if (!column.IsOptional)
        {
            var plain = new T[count];
            for (var row = 0; row < count;) row += ReadBatch(reader, null, plain.AsSpan(row), count - row, column);
            return plain;
        }
        var values = new T?[count];
        var batch = new T[Math.Min(BatchRows, Math.Max(1, count))];
        var levels = new short[batch.Length];
        for (var row = 0; row < count;)
        {
            var rows = ReadBatch(reader, levels, batch, count - row, column);
            for (int i = 0, v = 0; i < rows; i++)
                if (levels[i] != 0) values[row + i] = batch[v++];
            row += rows;
        }
        return values;
    }

    private static int ReadBatch<T>(ColumnReader<T> reader, short[]? levels, Span<T> values, int wanted, Column column) where T : unmanaged
    {
        var rows = (int)reader.ReadBatch(Math.Min(wanted, levels?.Length ?? values.Length), levels, default, values, out _);
        if (rows <= 0) throw new InvalidDataException($"column '{column.Name}' ends {wanted} rows before its row group does");
        return rows;
    }

    public void Dispose() => _reader.Dispose();
}
