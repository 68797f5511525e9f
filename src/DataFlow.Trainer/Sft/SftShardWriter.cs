using DataFlow.Engine.Tokens;
using Parquet.Schema;

namespace DataFlow.Trainer.Sft;

/// <summary>
/// Writes one SFT shard: rows of exactly <c>max_tokens</c> into Parquet list&lt;int32&gt; columns <c>tokens</c> and
/// <c>loss_mask</c> (1 where the token is a training target), plus an int32 <c>length</c> column when rows are padded
/// conversations, or a list&lt;int32&gt; <c>segment_ids</c> column when they are packed (each token's conversation in
/// the row, from 1; 0 for padding). Metadata: <see cref="SftShardMetadata"/>. zstd; memory bounded by one row group.
/// Writes to the path it is given (the task's temporary output); <see cref="SftShardReader"/> reads it back.
/// </summary>
public sealed class SftShardWriter : IDisposable
{
    public const string TokensColumn = "tokens";
    public const string LossMaskColumn = "loss_mask";
    public const string LengthColumn = "length";
    public const string SegmentsColumn = "segment_ids";

    private readonly ListShardFile _file;
    private readonly DataField<int> _tokenElement = new("element");
    private readonly DataField<int> _maskElement = new("element");
    private readonly DataField<int> _segmentElement = new("element");
    private readonly DataField<int>? _lengthField;
    private readonly bool _packed;
    private readonly int[] _tokens;
    private readonly int[] _mask;
    private readonly int[] _segments;
    private readonly int[] _lengths;
    private readonly FixedLengthListLevels _levels;
    private readonly int _rowGroupRows;
    private int _bufferedRows;

    public SftShardWriter(string path, SftShardMetadata metadata, int rowGroupRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(metadata.MaxTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupRows, 1);
        MaxTokens = metadata.MaxTokens;
        _rowGroupRows = rowGroupRows;
        _packed = metadata.Layout == SftShardLayout.Packed;
        var fields = new List<Field> { new ListField(TokensColumn, _tokenElement), new ListField(LossMaskColumn, _maskElement) };
        if (_packed) fields.Add(new ListField(SegmentsColumn, _segmentElement));
        else
        {
            _lengthField = new DataField<int>(LengthColumn, false);
            fields.Add(_lengthField);
        }
        _tokens = new int[rowGroupRows * MaxTokens];
        _mask = new int[_tokens.Length];
        _segments = new int[_packed ? _tokens.Length : 0];
        _lengths = new int[rowGroupRows];
        _file = new ListShardFile(path, new ParquetSchema(fields), metadata.ToKeys());
        // After the schema is built: building it is what sets the element's definition level.
        _levels = new FixedLengthListLevels(MaxTokens, rowGroupRows, _tokenElement.MaxDefinitionLevel);
    }

    public int MaxTokens { get; }
    public long Rows { get; private set; }

    /// <summary>Appends one row of exactly <c>max_tokens</c> tokens.</summary>
    public void WriteRow(SftRow row)
    {
        ObjectDisposedException.ThrowIf(_file.IsClosed, this);
        if (row.Tokens.Length != MaxTokens)
            throw new ArgumentException($"an SFT row holds {MaxTokens} tokens, got {row.Tokens.Length}");
        if (!_packed && row.Conversations > 1)
            throw new ArgumentException($"a padded SFT shard holds one conversation per row, got {row.Conversations}");
        var at = _bufferedRows * MaxTokens;
        row.Tokens.CopyTo(_tokens, at);
        row.LossMask.CopyTo(_mask, at);
        if (_packed) row.Segments.CopyTo(_segments, at);
        _lengths[_bufferedRows] = row.Used;
        _bufferedRows++;
        Rows++;
        if (_bufferedRows == _rowGroupRows) FlushRowGroup();
    }

    private void FlushRowGroup()
    {
        if (_bufferedRows == 0) return;
        using (var group = _file.CreateRowGroup())
        {
            _levels.Write(group, _tokenElement, _tokens, _bufferedRows);
            _levels.Write(group, _maskElement, _mask, _bufferedRows);
            if (_packed) _levels.Write(group, _segmentElement, _segments, _bufferedRows);
            if (_lengthField is not null)
                group.WriteAsync<int>(_lengthField, (ReadOnlyMemory<int>)_lengths.AsMemory(0, _bufferedRows)).GetAwaiter().GetResult();
        }
        _bufferedRows = 0;
    }

    /// <summary>Flushes the last row group and closes the file (also done by <see cref="Dispose"/>).</summary>
    public void Complete() => _file.Close(FlushRowGroup);

    public void Dispose() => Complete();
}
