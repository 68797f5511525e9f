namespace DataFlow.Engine.Execution;

/// <summary>
/// One column of a <see cref="TextTable"/>. <paramref name="Priority"/> 0 columns always stay; when the table is wider
/// than the console, the column with the highest priority number goes first (the rightmost among equals). A dropped
/// column with <paramref name="Fold"/> is not lost: its non-empty cells are listed under the table, one line per row.
/// </summary>
public sealed record TextColumn(string Header, bool RightAligned = true, int Priority = 0, bool Fold = false);
