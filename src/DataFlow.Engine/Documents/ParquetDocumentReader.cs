using System.Runtime.CompilerServices;
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
        using (var plain = PlainParquetFile.TryOpen(path))
        {
            if (plain is not null)
                return plain.Columns.Where(c => !IsStandard(c.Name, options)).Select(c => new ExtraColumn(c.Name, c.Type)).ToList();
        }
        return ManagedExtraColumnsOf(path, options);
    }

    /// <summary>Parquet.Net's reading of the columns (its own method, so reading a plain file never loads Parquet.Net).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IReadOnlyList<ExtraColumn> ManagedExtraColumnsOf(string path, ReadOptions options)
    {
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
        var plain = File.Exists(path) && new FileInfo(path).Length > 0 ? PlainParquetFile.TryOpen(path) : null;
        var layout = plain is null ? null : PlainLayout.Of(plain, options);
        if (layout is null) plain?.Dispose();
        var documents = layout is null ? ReadManaged(path, options, rejects, onFraction) : ReadPlain(path, plain!, layout, options, rejects, onFraction);
        foreach (var doc in documents) yield return doc;
    }

    /// <summary>
    /// A plain file (<see cref="PlainParquetFile"/>) whose text column is a string, read through ParquetSharp. A row
    /// group ParquetSharp cannot decode is read again through Parquet.Net, so what it yields or rejects is what
    /// Parquet.Net makes of it (the reject names Parquet.Net's error, as for any other file).
    /// </summary>
    private static IEnumerable<Document> ReadPlain(string path, PlainParquetFile plain, PlainLayout layout, ReadOptions options,
        IRejectSink rejects, Action<double>? onFraction)
    {
        ManagedRowGroups? managed = null;
        try
        {
            var defaultSource = options.Source ?? Path.GetFileName(path);
            var stem = DocumentSources.StemOf(path);
            long rowBase = 0;
            for (var g = 0; g < plain.RowGroupCount; g++)
            {
                RowGroupColumns? columns = null;
                string? fault = null;
                long groupRows = 0;
                try
                {
                    groupRows = plain.RowGroupRows(g);
                    columns = RowGroupColumns.Read(plain, g, layout);
                }
                catch (Exception e) when (IsFileFault(e))
                {
                    try
                    {
                        managed ??= new ManagedRowGroups(path);
                        columns = managed.Read(g, layout, ref groupRows);
                    }
                    catch (Exception managedError) when (IsFileFault(managedError))
                    {
                        fault = managedError.Message;
                    }
                }
                if (columns is null)
                {
                    if (!RejectCorruptRowGroup(rejects, path, g, rowBase, groupRows, fault)) yield break;
                    rowBase += groupRows;
                    onFraction?.Invoke((g + 1.0) / plain.RowGroupCount);
                    continue;
                }
                foreach (var doc in Documents(path, columns, layout.ExtraNames, options, rejects, rowBase, stem, defaultSource))
                    yield return doc;
                rowBase += columns.Count;
                onFraction?.Invoke((g + 1.0) / plain.RowGroupCount);
            }
        }
        finally
        {
            managed?.Dispose();
            plain.Dispose();
        }
    }

    /// <summary>
    /// Rejects row group <paramref name="g"/>, which could not be decoded, as one reject counting its rows; false when its
    /// row count is unknown, since the rows after it then cannot be numbered.
    /// </summary>
    private static bool RejectCorruptRowGroup(IRejectSink rejects, string path, int g, long rowBase, long groupRows, string? fault)
    {
        var rows = groupRows > 0 ? $" (rows {rowBase + 1}-{rowBase + groupRows})" : "";
        rejects.Reject(new Reject(path, rowBase + 1, $"corrupt row group {g}{rows}: {fault}") { Records = Math.Max(1, groupRows) });
        return groupRows > 0;
    }

    /// <summary>The documents of one decoded row group, numbered from <paramref name="rowBase"/> + 1; a null text is a reject.</summary>
    private static IEnumerable<Document> Documents(string path, RowGroupColumns columns, IReadOnlyList<string> extraNames, ReadOptions options,
        IRejectSink rejects, long rowBase, string stem, string defaultSource)
    {
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
            for (var e = 0; e < extraNames.Count; e++) doc[extraNames[e]] = columns.Extras[e].GetValue(r);
            yield return doc;
        }
    }

    private static IEnumerable<Document> ReadManaged(string path, ReadOptions options, IRejectSink rejects, Action<double>? onFraction)
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
            var fieldSet = new ManagedFields(text, id, source, metadata, extras);
            var extraNames = extras.Select(f => f.Name).ToList();
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
                    columns = RowGroupColumns.Read(reader, g, fieldSet);
                }
                catch (Exception e) when (IsFileFault(e))
                {
                    fault = e.Message;
                }
                if (columns is null)
                {
                    if (!RejectCorruptRowGroup(rejects, path, g, rowBase, groupRows, fault)) yield break;
                    rowBase += groupRows;
                    onFraction?.Invoke((g + 1.0) / reader.RowGroupCount);
                    continue;
                }
                foreach (var doc in Documents(path, columns, extraNames, options, rejects, rowBase, stem, defaultSource))
                    yield return doc;
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

    /// <summary>
    /// Parquet.Net reading single row groups of a plain file: where a row group ParquetSharp cannot decode goes (its own
    /// type, so reading a plain file that decodes never loads Parquet.Net).
    /// </summary>
    private sealed class ManagedRowGroups(string path) : IDisposable
    {
        private Stream? _stream;
        private ParquetReader? _reader;

        /// <summary>Row group <paramref name="group"/>; <paramref name="rows"/> is set from the footer before its columns are decoded.</summary>
        public RowGroupColumns Read(int group, PlainLayout layout, ref long rows)
        {
            _stream ??= File.OpenRead(path);
            _reader ??= ParquetReader.CreateAsync(_stream).GetAwaiter().GetResult();
            rows = _reader.Metadata?.RowGroups[group].NumRows ?? 0;
            return RowGroupColumns.Read(_reader, group, layout.ManagedFields(_reader));
        }

        public void Dispose()
        {
            _reader?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _stream?.Dispose();
        }
    }

    /// <summary>The Parquet.Net fields a file's documents are read from.</summary>
    private sealed record ManagedFields(DataField Text, DataField? Id, DataField? Source, DataField? Metadata, List<DataField> Extras);

    /// <summary>
    /// Which columns of a plain file documents are read from, chosen as for Parquet.Net's fields: text, id, source,
    /// metadata, then the other columns in file order.
    /// </summary>
    private sealed class PlainLayout
    {
        public required IReadOnlyList<PlainParquetFile.Column> Columns { get; init; }
        public PlainParquetFile.Column? Id { get; init; }
        public PlainParquetFile.Column? Source { get; init; }
        public PlainParquetFile.Column? Metadata { get; init; }
        public required IReadOnlyList<string> ExtraNames { get; init; }

        /// <summary>The layout, or null when the file needs the general path (no string text column: its reject names Parquet.Net's types).</summary>
        public static PlainLayout? Of(PlainParquetFile file, ReadOptions options)
        {
            var text = file.Columns.FirstOrDefault(c => c.Name == options.TextField);
            if (text is null || text.Type != typeof(string)) return null;
            var id = file.Columns.FirstOrDefault(c => c.Name == options.IdField);
            var source = file.Columns.FirstOrDefault(c => c.Name == "source" && c.Type == typeof(string));
            var metadata = file.Columns.FirstOrDefault(c => c.Name == "metadata" && c.Type == typeof(string));
            var extras = file.Columns.Where(c => !IsStandard(c.Name, options)).ToList();
            List<PlainParquetFile.Column> columns = [text];
            foreach (var c in (PlainParquetFile.Column?[])[id, source, metadata]) if (c is not null) columns.Add(c);
            columns.AddRange(extras);
            return new PlainLayout { Columns = columns, Id = id, Source = source, Metadata = metadata, ExtraNames = extras.Select(c => c.Name).ToList() };
        }

        /// <summary>The same columns as Parquet.Net fields of the same file.</summary>
        public ManagedFields ManagedFields(ParquetReader reader)
        {
            var fields = reader.Schema.DataFields;
            DataField Field(string name) => fields.First(f => f.Name == name && f.Path.Length == 1);
            return new ManagedFields(Field(Columns[0].Name), Id is null ? null : Field(Id.Name), Source is null ? null : Field(Source.Name),
                Metadata is null ? null : Field(Metadata.Name), ExtraNames.Select(Field).ToList());
        }
    }

    /// <summary>The columns of one row group, read at once.</summary>
    private sealed class RowGroupColumns
    {
        public int Count;
        public string?[] Texts = [];
        public string?[]? Ids;
        public string?[]? Sources;
        public string?[]? Metadata;
        public Array[] Extras = [];

        public static RowGroupColumns Read(ParquetReader reader, int group, ManagedFields fields)
        {
            var (text, id, source, metadata, extras) = fields;
            using var rg = reader.OpenRowGroupReader(group);
            var count = checked((int)rg.RowCount);
            var result = new RowGroupColumns { Count = count, Texts = Strings(rg, text, count) };
            if (id is not null) result.Ids = ClrTypeOf(id) == typeof(string) ? Strings(rg, id, count) : IdStrings(Values(rg, id, count));
            if (source is not null) result.Sources = Strings(rg, source, count);
            if (metadata is not null) result.Metadata = Strings(rg, metadata, count);
            result.Extras = extras.Select(f => ClrTypeOf(f) == typeof(string) ? Strings(rg, f, count) : Values(rg, f, count)).ToArray();
            return result;
        }

        /// <summary>The same columns read by ParquetSharp from a plain file.</summary>
        public static RowGroupColumns Read(PlainParquetFile file, int group, PlainLayout layout)
        {
            var values = file.ReadRowGroup(group, layout.Columns, out var count);
            var result = new RowGroupColumns { Count = count, Texts = (string?[])values[0] };
            var next = 1;
            if (layout.Id is not null) result.Ids = values[next++] is string?[] ids ? ids : IdStrings(values[next - 1]);
            if (layout.Source is not null) result.Sources = (string?[])values[next++];
            if (layout.Metadata is not null) result.Metadata = (string?[])values[next++];
            result.Extras = values[next..];
            return result;
        }

        /// <summary>Numeric ids as strings (the value's ToString).</summary>
        private static string?[] IdStrings(Array values) => values.Cast<object?>().Select(v => v?.ToString()).ToArray();

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
