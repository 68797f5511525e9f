using Parquet;
using Parquet.Schema;

namespace DataFlow.Engine.Tokens;

/// <summary>
/// The file behind the token and SFT shard writers: a Parquet file written one row group at a time, zstd at the
/// Optimal level, with the writer's key-value metadata. It creates its folder and closes exactly once, after the
/// writer has flushed its last buffered rows.
/// </summary>
public sealed class ListShardFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly ParquetWriter _writer;

    public ListShardFile(string path, ParquetSchema schema, IReadOnlyDictionary<string, string> metadata)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _writer = ParquetWriter.CreateAsync(schema, _stream, TokenShardSchema.Options()).GetAwaiter().GetResult();
        _writer.CustomMetadata = new Dictionary<string, string>(metadata);
    }

    public bool IsClosed { get; private set; }

    public ParquetRowGroupWriter CreateRowGroup() => _writer.CreateRowGroup();

    /// <summary>Runs <paramref name="flushLast"/> (the writer's buffered rows), then closes the file; later calls do nothing.</summary>
    public void Close(Action flushLast)
    {
        if (IsClosed) return;
        IsClosed = true;
        try
        {
            flushLast();
            _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            _stream.Dispose();
        }
    }

    /// <summary>Closes without writing more rows (a writer's Dispose closes through <see cref="Close"/> first).</summary>
    public void Dispose() => Close(static () => { });
}
