namespace DataFlow.Jobs.Dedup;

/// <summary>Names of the engine stages one substring dedup stage becomes and of the files they exchange.</summary>
public sealed record SubstringLayout(string StageName)
{
    public string Suffixes => StageName + ".suffixes";
    public string Matches => StageName + ".matches";
    public string Filter => StageName;

    /// <summary>Part i's text: its documents' UTF-8 bytes, each followed by the separator byte 0xFF.</summary>
    public static string TextFile(string dir, int part) => Path.Combine(dir, $"text-{part:D5}.bin");

    /// <summary>Part i's windows (suffixes whose first MinTokens bytes hold no separator) in window order, with their order keys.</summary>
    public static string SuffixFile(string dir, int part) => Path.Combine(dir, $"sa-{part:D5}.bin");

    /// <summary>Part i's suffix counts per key (first 12 bits of the suffix), so a match task finds its slice of the suffix array.</summary>
    public static string KeyCountFile(string dir, int part) => Path.Combine(dir, $"keys-{part:D5}.bin");

    /// <summary>Part i's documents: UTF-8 length and id hash, checked by the filter.</summary>
    public static string DocFile(string dir, int part) => Path.Combine(dir, $"docs-{part:D5}.bin");

    /// <summary>Starts (byte offsets in part i's text) of the windows match task j marked for removal.</summary>
    public static string StartsFile(string dir, int task, int part) => Path.Combine(dir, $"starts-{task:D4}-{part:D5}.bin");

    public const string TextKind = "substring-text";
    public const string SuffixKind = "substring-wsa";
    public const string KeyCountKind = "substring-keys";
    public const string DocKind = "substring-docs";
    public const string StartsKind = "substring-starts";

    /// <summary>Ends every document in a part's text; never a byte of valid UTF-8, so no span crosses it.</summary>
    public const byte Separator = 0xFF;

    /// <summary>Suffixes are grouped by their first 12 bits (first byte, high half of the second) to split the merge.</summary>
    public const int KeyBits = 12;
    public const int Keys = 1 << KeyBits;

    /// <summary>The 12-bit key of a window's order key (its first byte and a half: the top of <see cref="DataFlow.Text.Substring.WindowSuffixArray.KeyOf"/>).</summary>
    public static int KeyOf(ulong orderKey) => (int)(orderKey >> (64 - KeyBits));
}
