using System.Text;

namespace DataFlow.Engine.Execution;

/// <summary>
/// A plain table for the console that never wraps a row: a header, a rule and one line per row, columns two spaces
/// apart, every line at most the given width. When all columns do not fit, the least important ones are dropped
/// (<see cref="TextColumn.Priority"/>), folded ones listed under the table as "row: header value, ..."; when even the
/// columns that must stay do not fit, every row becomes such a list. The first column names the row; empty columns are
/// left out.
/// </summary>
public sealed class TextTable(IReadOnlyList<TextColumn> columns)
{
    private const string Gap = "  ";
    private const char Rule = '─';
    private readonly List<string[]> _rows = [];

    public void AddRow(params string[] cells)
    {
        if (cells.Length != columns.Count)
            throw new ArgumentException($"a row of {cells.Length} cells in a table of {columns.Count} columns");
        _rows.Add(cells);
    }

    /// <summary>The lines of the table at <paramref name="width"/> characters (at least 20).</summary>
    public IReadOnlyList<string> Render(int width)
    {
        width = Math.Max(20, width);
        var shown = Enumerable.Range(0, columns.Count).Where(c => _rows.Any(r => r[c].Length > 0)).ToList();
        var widths = Enumerable.Range(0, columns.Count)
            .Select(c => _rows.Select(r => r[c].Length).Append(columns[c].Header.Length).Max()).ToArray();
        int Width(List<int> cols) => cols.Sum(c => widths[c]) + Gap.Length * Math.Max(0, cols.Count - 1);
        while (Width(shown) > width && LeastImportant(shown) is { } drop) shown.Remove(drop);
        var lines = new List<string>();
        if (Width(shown) > width)
        {
            // Not even the columns that must stay fit: one list per row.
            foreach (var row in _rows) lines.AddRange(Listed(row, Enumerable.Range(1, columns.Count - 1), width, lead: 0));
            return lines;
        }
        lines.Add(Line(shown.Select(c => Align(columns[c].Header, widths[c], columns[c].RightAligned))));
        lines.Add(Line(shown.Select(c => new string(Rule, widths[c]))));
        foreach (var row in _rows) lines.Add(Line(shown.Select(c => Align(row[c], widths[c], columns[c].RightAligned))));
        var folded = Enumerable.Range(0, columns.Count).Where(c => columns[c].Fold && !shown.Contains(c)).ToList();
        foreach (var row in _rows.Where(r => folded.Any(c => r[c].Length > 0)))
            lines.AddRange(Listed(row, folded, width, lead: 2));
        return lines;
    }

    /// <summary>The column to drop next: the highest priority number, the rightmost among equals (null: only columns that must stay).</summary>
    private int? LeastImportant(List<int> shown) =>
        shown.Where(c => columns[c].Priority > 0).OrderByDescending(c => columns[c].Priority).ThenByDescending(c => c).Select(c => (int?)c).FirstOrDefault();

    /// <summary>
    /// "first cell: header value, header value" after <paramref name="lead"/> spaces, wrapped to <paramref name="width"/>
    /// between items where an item fits on a line, else between its words (continuation lines two spaces further in).
    /// </summary>
    private List<string> Listed(string[] row, IEnumerable<int> cells, int width, int lead)
    {
        var items = cells.Where(c => row[c].Length > 0).Select(c => $"{columns[c].Header} {row[c]}").ToList();
        var lines = new List<string>();
        var line = new StringBuilder().Append(' ', lead).Append(row[0]).Append(':');
        var indent = lead + 2;
        void Put(string piece)
        {
            if (line.Length + 1 + piece.Length > width && line.Length > indent)
            {
                lines.Add(Fit(line.ToString(), width));
                line.Clear().Append(' ', indent).Append(piece);
            }
            else
            {
                line.Append(' ').Append(piece);
            }
        }
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i] + (i < items.Count - 1 ? "," : "");
            if (indent + item.Length <= width || line.Length + 1 + item.Length <= width) Put(item);
            else foreach (var word in item.Split(' ')) Put(word);
        }
        lines.Add(Fit(line.ToString(), width));
        return lines;
    }

    private static string Line(IEnumerable<string> cells) => string.Join(Gap, cells).TrimEnd();

    private static string Align(string text, int width, bool right) => right ? text.PadLeft(width) : text.PadRight(width);

    /// <summary>Cuts a line longer than <paramref name="width"/> (one item wider than the console), marking the cut.</summary>
    public static string Fit(string line, int width) => line.Length <= width ? line : line[..(width - 1)] + "…";
}
