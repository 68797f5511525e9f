namespace DataFlow.Engine.Tokens;

/// <summary>
/// Writes one token shard: rows of exactly seq_len + 1 tokens into a Parquet list&lt;int32&gt; column.
/// Memory is bounded by one row group (<c>rowGroupRows</c> rows), flushed as it fills.
/// Writes to the path it is given; callers in a job pass the temporary path from <c>TaskContext.CreateOutput</c>.
/// </summary>
public sealed class TokenShardWriter : IDisposable
{
    public const string ColumnName = "tokens";
    public const int DefaultRowGroupRows = 256;

    private readonly string _path;
    private readonly ListShardFile _file;
    private readonly int[] _values;
    private readonly FixedLengthListLevels _levels;
    private readonly int _rowGroupRows;
    private int _bufferedRows;

    public TokenShardWriter(string path, int seqLen, int rowGroupRows = DefaultRowGroupRows, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seqLen, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupRows, 1);
        _path = path;
        SeqLen = seqLen;
        _rowGroupRows = rowGroupRows;
        _values = new int[rowGroupRows * RowLength];
        _levels = new FixedLengthListLevels(RowLength, rowGroupRows, TokenShardSchema.Element.MaxDefinitionLevel);
        var custom = new Dictionary<string, string> { [TokenShardSchema.SeqLenKey] = seqLen.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (metadata is not null)
            foreach (var (key, value) in metadata) custom[key] = value;
        _file = new ListShardFile(path, TokenShardSchema.Schema, custom);
    }

    public int SeqLen { get; }
    public int RowLength => SeqLen + 1;
    public long Rows { get; private set; }
    public long Tokens => Rows * RowLength;

    /// <summary>Appends one row; it must hold exactly seq_len + 1 tokens.</summary>
    public void WriteRow(ReadOnlySpan<int> row)
    {
        ObjectDisposedException.ThrowIf(_file.IsClosed, this);
        if (row.Length != RowLength)
            throw new ArgumentException($"{_path}: a row holds {RowLength} tokens (seq_len + 1), got {row.Length}", nameof(row));
        row.CopyTo(_values.AsSpan(_bufferedRows * RowLength));
        _bufferedRows++;
        Rows++;
        if (_bufferedRows == _rowGroupRows) FlushRowGroup();
    }

    private void FlushRowGroup()
    {
        if (_bufferedRows == 0) return;
        using (var group = _file.CreateRowGroup())
            _levels.Write(group, TokenShardSchema.Element, _values, _bufferedRows);
        _bufferedRows = 0;
    }

    /// <summary>Flushes the last row group and closes the file (also done by <see cref="Dispose"/>).</summary>
    public TokenShardInfo Complete(string fileName, string split)
    {
        _file.Close(FlushRowGroup);
        return new TokenShardInfo(fileName, split, Rows, Tokens);
    }

    public void Dispose() => _file.Close(FlushRowGroup);
}
