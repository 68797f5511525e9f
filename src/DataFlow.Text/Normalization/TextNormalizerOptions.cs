namespace DataFlow.Text.Normalization;

/// <summary>What <see cref="TextNormalizer"/> changes; every step is on by default and cheap when the text is already clean.</summary>
public sealed record TextNormalizerOptions
{
    /// <summary>Unicode canonical composition (NFC), so "é" typed two ways compares equal.</summary>
    public bool Nfc { get; init; } = true;

    /// <summary>"\r\n", "\r", U+0085, U+2028 and U+2029 become "\n".</summary>
    public bool LineEndings { get; init; } = true;

    /// <summary>Drops control characters (Unicode Cc other than tab and newline), zero-width marks and the BOM.</summary>
    public bool ControlCharacters { get; init; } = true;

    /// <summary>Unicode spaces and tabs become one ASCII space per run; spaces at the start and end of each line are removed.</summary>
    public bool Whitespace { get; init; } = true;

    /// <summary>Runs of more than this many empty lines are shortened to it (-1: keep all). Two keeps paragraph breaks visible.</summary>
    public int MaxBlankLines { get; init; } = 2;

    /// <summary>Leading and trailing blank lines of the document are removed.</summary>
    public bool TrimDocument { get; init; } = true;

    public static TextNormalizerOptions Default { get; } = new();
}
