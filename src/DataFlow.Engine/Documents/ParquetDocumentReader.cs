using Parquet;
using Parquet.Schema;

namespace DataFlow.Engine.Documents;

/// <summary>
/// Streams documents from a Parquet file one row group at a time (memory bounded by the row group). The text
/// and id columns are configurable; source and metadata are read when present; every other flat column of a
/// supported type (string, long, int, double, bool) is carried along as an extra column.
/// A zero-byte file, an unreadable footer or a text column of the wrong type rejects the file with its name; a
/// corrupt row group (bad page, truncated data, failed decompression) rejects that group's rows by number, and the
/// file's other row groups are still read. Nothing is silently skipped: under <c>on_error: fail</c> each of these is a
/// named error instead.
/// </summary>
public static class ParquetDocumentReader
{
    private static readonly Type[] Carried = [typeof(string), typeof(long), typeof(int), typeof(double), typeof(bool)];

    /// <summary>Extra columns (beyond id/text/source/metadata) of a shard, so a stage can pass them through.</summary>
    public static IReadOnlyList<ExtraColumn> ExtraColumnsOf(string path, ReadOptions? options = null)
    {
        options ??= ReadOptions.Default;
        try
        {
            var schema = ParquetReader.ReadSchemaAsync(path).GetAwaiter().GetResult();
            return schema.DataFields
                .Where(f => !IsStandard(f.Name, options) && !f.IsArray && Carried.Contains(ClrTypeOf(f)) && f.Path.Length == 1)
                .Select(f => new ExtraColumn(f.Name, ClrTypeOf(f))).ToList();
        }
        catch (Exception e) when (IsFileFault(e))
        {
            return [];
        }
    }

    /// <summary>
    /// Whether an exception thrown while decoding a file is the file's fault (corrupt metadata, pages or compressed
    /// data surface as many exception types from the Thrift, Parquet and codec layers), as opposed to cancellation or
    /// running out of memory, which must stop the task.
    /// </summary>
    private static bool IsFileFault(Exception e) =>
        e is not (OperationCanceledException or OutOfMemoryException or BadInputException or ThreadInterruptedException);

    public static IEnumerable<Document> Read(string path, ReadOptions options, IRejectSink rejects, Action<double>? onFraction = null)
    {
        ParquetReader? reader = null;
        Stream? stream = null;
        try
        {
            stream = File.OpenRead(path);
            reader = OpenReader(path, stream, rejects);
            if (reader is null) yield break;
            var fields = reader.Schema.DataFields;
            var text = fields.FirstOrDefault(f => f.Name == options.TextField && f.Path.Length == 1);
            if (text is null)
            {
                rejects.Reject(new Reject(path, 0, $"no string column '{options.TextField}' (columns: {string.Join(", ", fields.Select(f => f.Name))})") { Records = RowsOf(reader) });
                yield break;
            }
            if (ClrTypeOf(text) != typeof(string) || text.IsArray)
            {
                rejects.Reject(new Reject(path, 0, $"text column '{options.TextField}' has type {TypeName(text)}, not string") { Records = RowsOf(reader) });
                yield break;
            }
            var id = fields.FirstOrDefault(f => f.Name == options.IdField && f.Path.Length == 1);
            if (id is not null && (id.IsArray || !Carried.Contains(ClrTypeOf(id))))
            {
                rejects.Reject(new Reject(path, 0, $"id column '{options.IdField}' has type {TypeName(id)}; ids must be strings or numbers") { Records = RowsOf(reader) });
                yield break;
            }
            var source = fields.FirstOrDefault(f => f.Name == "source" && ClrTypeOf(f) == typeof(string));
            var metadata = fields.FirstOrDefault(f => f.Name == "metadata" && ClrTypeOf(f) == typeof(string));
            var extras = fields.Where(f => !IsStandard(f.Name, options) && !f.IsArray && f.Path.Length == 1 && Carried.Contains(ClrTypeOf(f))).ToList();
            var defaultSource = options.Source ?? Path.GetFileName(path);
            var stem = DocumentSources.StemOf(path);
            long rowBase = 0;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                RowGroupColumns? columns = null;
                string? fault = null;
                long groupRows = 0;
                try
                {
                    groupRows = reader.Metadata?.RowGroups[g].NumRows ?? 0;
                    columns = RowGroupColumns.Read(reader, g, text, id, source, metadata, extras);
                }
                catch (Exception e) when (IsFileFault(e))
                {
                    fault = e.Message;
                }
                if (columns is null)
                {
                    var rows = groupRows > 0 ? $" (rows {rowBase + 1}-{rowBase + groupRows})" : "";
                    rejects.Reject(new Reject(path, rowBase + 1, $"corrupt row group {g}{rows}: {fault}") { Records = Math.Max(1, groupRows) });
                    if (groupRows <= 0) yield break; // without a row count the rows after it cannot be numbered
                    rowBase += groupRows;
                    onFraction?.Invoke((g + 1.0) / reader.RowGroupCount);
                    continue;
                }
                for (var r = 0; r < columns.Count; r++)
                {
                    var row = rowBase + r + 1;
                    var body = columns.Texts[r];
                    if (body is null)
                    {
                        rejects.Reject(new Reject(path, row, $"null value in text column '{options.TextField}'"));
                        continue;
                    }
                    var doc = new Document(columns.Ids?[r] ?? $"{stem}:{row}", body,
                        options.Source ?? columns.Sources?[r] ?? defaultSource, columns.Metadata?[r] ?? "{}");
                    doc.SetOrigin(path, "#row", row);
                    for (var e = 0; e < extras.Count; e++) doc[extras[e].Name] = columns.Extras[e].GetValue(r);
                    yield return doc;
                }
                rowBase += columns.Count;
                onFraction?.Invoke((g + 1.0) / reader.RowGroupCount);
            }
        }
        finally
        {
            reader?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            stream?.Dispose();
        }
    }

    private static ParquetReader? OpenReader(string path, Stream stream, IRejectSink rejects)
    {
        if (stream.Length == 0)
        {
            rejects.Reject(new Reject(path, 0, "empty file (0 bytes), not a Parquet file"));
            return null;
        }
        try
        {
            return ParquetReader.CreateAsync(stream).GetAwaiter().GetResult();
        }
        catch (Exception e) when (IsFileFault(e))
        {
            rejects.Reject(new Reject(path, 0, $"not a readable Parquet file (bad footer or file metadata): {e.Message}"));
            return null;
        }
    }

    /// <summary>Parquet.Net 6 reports nullable string columns as ReadOnlyMemory&lt;char&gt;; both read as strings.</summary>
    private static Type ClrTypeOf(DataField field) =>
        field.ClrType == typeof(ReadOnlyMemory<char>) ? typeof(string) : field.ClrType;

    /// <summary>Rows of a file by its footer (at least 1: a rejected file counts once even when empty).</summary>
    private static long RowsOf(ParquetReader reader) => Math.Max(1, reader.Metadata?.NumRows ?? 1);

    private static string TypeName(DataField field)
    {
        var t = ClrTypeOf(field);
        var name = t == typeof(byte[]) || t == typeof(ReadOnlyMemory<byte>) ? "binary"
            : t.IsGenericType ? $"{t.Name[..t.Name.IndexOf('`')]}<{string.Join(", ", t.GetGenericArguments().Select(a => a.Name))}>" : t.Name;
        return (field.IsArray ? "list of " : "") + name;
    }

    private static bool IsStandard(string name, ReadOptions options) =>
        name == options.IdField || name == options.TextField || name is "id" or "text" or "source" or "metadata";

    /// <summary>The columns of one row group, read at once.</summary>
    private sealed class RowGroupColumns
    {
        public int Count;
        public string?[] Texts = [];
        public string?[]? Ids;
        public string?[]? Sources;
        public string?[]? Metadata;
        public Array[] Extras = [];

        public static RowGroupColumns Read(ParquetReader reader, int group, DataField text, DataField? id, DataField? source,
            DataField? metadata, List<DataField> extras)
        {
            using var rg = reader.OpenRowGroupReader(group);
            var count = checked((int)rg.RowCount);
            var result = new RowGroupColumns { Count = count, Texts = Strings(rg, text, count) };
            if (id is not null) result.Ids = ClrTypeOf(id) == typeof(string) ? Strings(rg, id, count) : Values(rg, id, count).Cast<object?>().Select(v => v?.ToString()).ToArray();
            if (source is not null) result.Sources = Strings(rg, source, count);
            if (metadata is not null) result.Metadata = Strings(rg, metadata, count);
            result.Extras = extras.Select(f => ClrTypeOf(f) == typeof(string) ? Strings(rg, f, count) : Values(rg, f, count)).ToArray();
            return result;
        }

        private static string?[] Strings(ParquetRowGroupReader rg, DataField field, int count) => Named(field, () =>
        {
            var values = new string?[count];
            rg.ReadAsync(field, values.AsMemory()).GetAwaiter().GetResult();
            return values;
        });

        /// <summary>Runs one column's read, naming the column in what it throws.</summary>
        private static T Named<T>(DataField field, Func<T> read)
        {
            try
            {
                return read();
            }
            catch (Exception e) when (IsFileFault(e))
            {
                throw new InvalidDataException($"column '{field.Name}': {e.Message}", e);
            }
        }

        private static Array Values(ParquetRowGroupReader rg, DataField field, int count) => Named(field, () => TypedValues(rg, field, count));

        private static Array TypedValues(ParquetRowGroupReader rg, DataField field, int count)
        {
            var t = field.ClrType;
            if (t == typeof(long)) return Typed<long>(rg, field, count);
            if (t == typeof(int)) return Typed<int>(rg, field, count);
            if (t == typeof(double)) return Typed<double>(rg, field, count);
            if (t == typeof(bool)) return Typed<bool>(rg, field, count);
            throw new NotSupportedException($"column '{field.Name}' has unsupported type {t.Name}");
        }

        private static Array Typed<T>(ParquetRowGroupReader rg, DataField field, int count) where T : struct
        {
            if (field.IsNullable)
            {
                var values = new T?[count];
                rg.ReadAsync(field, values.AsMemory()).GetAwaiter().GetResult();
                return values;
            }
            var plain = new T[count];
            rg.ReadAsync(field, plain.AsMemory()).GetAwaiter().GetResult();
            return plain;
        }
    }
}
