using System.Globalization;
using DataFlow.Engine.Tokens;
using Parquet.Schema;

namespace DataFlow.Jobs.Training.Sft;

/// <summary>
/// Writes one SFT shard: rows of exactly <c>max_tokens</c> into two Parquet list&lt;int32&gt; columns, <c>tokens</c> and
/// <c>loss_mask</c> (1 where the token is a training target), plus an int32 <c>length</c> column when rows are padded
/// conversations. zstd; memory bounded by one row group. Writes to the path it is given (the task's temporary output).
/// </summary>
public sealed class SftShardWriter : IDisposable
{
    public const string TokensColumn = "tokens";
    public const string LossMaskColumn = "loss_mask";
    public const string LengthColumn = "length";
    public const string MaxTokensKey = "dataflow.max_tokens";
    public const string LayoutKey = "dataflow.sft_layout";
    public const string PadIdKey = "dataflow.pad_id";
    public const string TokenizerKey = "dataflow.tokenizer";

    private readonly ListShardFile _file;
    private readonly DataField<int> _tokenElement = new("element");
    private readonly DataField<int> _maskElement = new("element");
    private readonly DataField<int>? _lengthField;
    private readonly int[] _tokens;
    private readonly int[] _mask;
    private readonly int[] _lengths;
    private readonly FixedLengthListLevels _levels;
    private readonly int _rowGroupRows;
    private int _bufferedRows;

    public SftShardWriter(string path, int maxTokens, SftShardLayout layout, int padId, string tokenizerName, int rowGroupRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupRows, 1);
        MaxTokens = maxTokens;
        _rowGroupRows = rowGroupRows;
        var fields = new List<Field> { new ListField(TokensColumn, _tokenElement), new ListField(LossMaskColumn, _maskElement) };
        if (layout == SftShardLayout.Padded)
        {
            _lengthField = new DataField<int>(LengthColumn, false);
            fields.Add(_lengthField);
        }
        _tokens = new int[rowGroupRows * maxTokens];
        _mask = new int[_tokens.Length];
        _lengths = new int[rowGroupRows];

        _file = new ListShardFile(path, new ParquetSchema(fields), new Dictionary<string, string>
        {
            [MaxTokensKey] = maxTokens.ToString(CultureInfo.InvariantCulture),
            [LayoutKey] = layout.ToString().ToLowerInvariant(),
            [PadIdKey] = padId.ToString(CultureInfo.InvariantCulture),
            [TokenizerKey] = tokenizerName,
        });
        // After the schema is built: building it is what sets the element's definition level.
        _levels = new FixedLengthListLevels(maxTokens, rowGroupRows, _tokenElement.MaxDefinitionLevel);
    }

    public int MaxTokens { get; }
    public long Rows { get; private set; }

    /// <summary>Appends one row of exactly <c>max_tokens</c> tokens and mask values (0 or 1); <paramref name="length"/> is written only for padded shards.</summary>
    public void WriteRow(ReadOnlySpan<int> tokens, ReadOnlySpan<int> lossMask, int length)
    {
        ObjectDisposedException.ThrowIf(_file.IsClosed, this);
        if (tokens.Length != MaxTokens || lossMask.Length != MaxTokens)
            throw new ArgumentException($"an SFT row holds {MaxTokens} tokens and mask values, got {tokens.Length} and {lossMask.Length}");
        tokens.CopyTo(_tokens.AsSpan(_bufferedRows * MaxTokens));
        lossMask.CopyTo(_mask.AsSpan(_bufferedRows * MaxTokens));
        _lengths[_bufferedRows] = length;
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
            if (_lengthField is not null)
                group.WriteAsync<int>(_lengthField, (ReadOnlyMemory<int>)_lengths.AsMemory(0, _bufferedRows)).GetAwaiter().GetResult();
        }
        _bufferedRows = 0;
    }

    /// <summary>Flushes the last row group and closes the file (also done by <see cref="Dispose"/>).</summary>
    public void Complete() => _file.Close(FlushRowGroup);

    public void Dispose() => Complete();
}
