namespace DataFlow.Engine.Execution;

/// <summary>
/// How many columns the console shows, for tables that must not wrap: the <c>COLUMNS</c> environment variable when set
/// (so <c>COLUMNS=80 dataflow run ...</c> asks for 80), else the terminal's width, else 80 (output to a file or pipe).
/// </summary>
public static class TerminalWidth
{
    public const int Default = 80;

    /// <param name="redirected">Whether the stream the table goes to is a file or pipe rather than the terminal.</param>
    public static int Detect(bool redirected) =>
        FromEnvironment(Environment.GetEnvironmentVariable("COLUMNS")) ?? (redirected ? null : Terminal()) ?? Default;

    /// <summary>A positive COLUMNS value (null: unset or not a number).</summary>
    public static int? FromEnvironment(string? columns) =>
        int.TryParse(columns, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    private static int? Terminal()
    {
        try
        {
            return Console.WindowWidth is var width and > 0 ? width : null;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }
}
