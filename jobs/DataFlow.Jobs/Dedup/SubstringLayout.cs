namespace DataFlow.Jobs.Dedup;

/// <summary>Names of the engine stages one substring dedup stage becomes and of the files they exchange.</summary>
public sealed record SubstringLayout(string StageName)
{
    public string Suffixes => StageName + ".suffixes";
    public string Matches => StageName + ".matches";
    public string Filter => StageName;

    /// <summary>Part i's text: its documents' UTF-8 bytes, each followed by the separator byte 0xFF.</summary>
    public static string TextFile(string dir, int part) => Path.Combine(dir, $"text-{part:D5}.bin");

    /// <summary>Part i's windows (suffixes whose first MinTokens bytes hold no separator) in window order: <see cref="SuffixRecord"/>s, 8 bytes each.</summary>
    public static string SuffixFile(string dir, int part) => Path.Combine(dir, $"sa-{part:D5}.bin");

    /// <summary>Part i's suffix counts per key (the window's two-byte prefix), so a match task finds its slice of the suffix array and each entry's prefix.</summary>
    public static string KeyCountFile(string dir, int part) => Path.Combine(dir, $"keys-{part:D5}.bin");

    /// <summary>Part i's documents: UTF-8 length and id hash, checked by the filter.</summary>
    public static string DocFile(string dir, int part) => Path.Combine(dir, $"docs-{part:D5}.bin");

    /// <summary>Starts (byte offsets in part i's text) of the windows match task j marked for removal.</summary>
    public static string StartsFile(string dir, int task, int part) => Path.Combine(dir, $"starts-{task:D4}-{part:D5}.bin");

    public const string TextKind = "substring-text";
    public const string SuffixKind = "substring-wsa8";
    public const string KeyCountKind = "substring-keys16";

    /// <summary>The kinds the 12-byte suffix records and 12-bit key counts had (before 8-byte records): named in the error for an old run folder.</summary>
    public const string OldSuffixKind = "substring-wsa";
    public const string OldKeyCountKind = "substring-keys";
    public const string DocKind = "substring-docs";
    public const string StartsKind = "substring-starts";

    /// <summary>Ends every document in a part's text; never a byte of valid UTF-8, so no span crosses it.</summary>
    public const byte Separator = 0xFF;

    /// <summary>Suffixes are grouped by their first 16 bits (the window's first two bytes) to split the merge and to rebuild each record's key.</summary>
    public const int KeyBits = 16;
    public const int Keys = 1 << KeyBits;

    /// <summary>The 16-bit key of a window's order key (its two-byte prefix: the top of <see cref="DataFlow.Text.Substring.WindowSuffixArray.KeyOf"/>).</summary>
    public static int KeyOf(ulong orderKey) => (int)(orderKey >> (64 - KeyBits));
}
