using Parquet;
using Parquet.Schema;

namespace DataFlow.Engine.Tokens;

/// <summary>
/// Writes list&lt;int32&gt; columns whose rows all hold the same number of values (token rows, loss masks). Their
/// Parquet repetition and definition levels are the same for every row group, so they are built once and sliced.
/// </summary>
public sealed class FixedLengthListLevels
{
    private readonly int _rowLength;
    private readonly int[] _repetitionLevels;
    private readonly int[] _definitionLevels;

    public FixedLengthListLevels(int rowLength, int maxRows, int maxDefinitionLevel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        // A list element sits at definition level 1 or more; 0 means the field is not in a built schema yet.
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDefinitionLevel, 1);
        _rowLength = rowLength;
        _repetitionLevels = new int[rowLength * maxRows];
        for (var i = 0; i < _repetitionLevels.Length; i++) _repetitionLevels[i] = i % rowLength == 0 ? 0 : 1; // 0 starts a row's list
        _definitionLevels = new int[_repetitionLevels.Length];
        Array.Fill(_definitionLevels, maxDefinitionLevel);
    }

    /// <summary>Writes the first <paramref name="rows"/> rows of <paramref name="values"/> as the column of <paramref name="element"/>.</summary>
    public void Write(ParquetRowGroupWriter group, DataField<int> element, int[] values, int rows)
    {
        var count = rows * _rowLength;
        group.WriteAllPartsAsync<int>(element, values.AsMemory(0, count), _definitionLevels.AsMemory(0, count),
            _repetitionLevels.AsMemory(0, count), CancellationToken.None).GetAwaiter().GetResult();
    }
}
